/** The monthly check-in on the home page: hours saved with AI this month, or "not now" (defined in src/actions/forms/checkin.ts). */
import { formAction } from './define.ts';
import { CHECKIN_DISMISS, CHECKIN_SAVE } from './forms/checkin.ts';

export const checkin = {
  save: formAction(CHECKIN_SAVE),
  dismiss: formAction(CHECKIN_DISMISS),
};
