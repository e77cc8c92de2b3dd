/** How the CLI gets a password: standard input, a hidden terminal prompt, or a generated one. */
import { createInterface } from 'node:readline';
import { checkPasswordPolicy, generatePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../features/auth/password.server.ts';

export interface PasswordInput {
  password: string;
  /** True when generated here; the caller prints it once. */
  generated: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the newline a shell adds is removed; the password is otherwise taken as is.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    // readline has no "silent" option; swallowing its echo is the usual way.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  });
}

/** Returns the password, or an error message when it breaks the policy. */
export async function readPassword(fromStdin: boolean, email: string): Promise<PasswordInput | { error: string }> {
  let input: PasswordInput;
  if (fromStdin) {
    input = { password: await readStdin(), generated: false };
  } else if (process.stdin.isTTY) {
    const typed = await askHidden(`Password for ${email} (${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters; leave empty to generate one): `);
    input = typed === '' ? { password: generatePassword(), generated: true } : { password: typed, generated: false };
  } else {
    input = { password: generatePassword(), generated: true };
  }
  const problem = checkPasswordPolicy(input.password);
  if (problem === 'too_short') return { error: `the password must be at least ${PASSWORD_MIN_LENGTH} characters.` };
  if (problem === 'too_long') return { error: `the password must be at most ${PASSWORD_MAX_LENGTH} characters.` };
  if (problem === 'common') return { error: 'that password is on the list of common passwords; choose another.' };
  return input;
}
