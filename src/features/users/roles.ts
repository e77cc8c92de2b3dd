/** The roles of Manabi, least to most: every learner, department champions, admins. The database schema takes them from here. */
export const ROLES = ['learner', 'champion', 'admin'] as const;
export type Role = (typeof ROLES)[number];
