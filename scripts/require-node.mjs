// Runs before `npm start` and `npm test` (prestart, pretest) in plain JavaScript, so an old Node.js
// gets one clear line instead of ERR_UNKNOWN_FILE_EXTENSION from the TypeScript entry points.

/**
 * The one-line problem with a Node.js version, or null when it is new enough.
 * @param {string} version e.g. `v20.20.2`
 * @returns {string | null}
 */
export function nodeVersionProblem(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return null;
  return `Manabi needs Node.js 22.12 or newer (24 recommended); this is Node.js ${version}. See README.md, "Requirements" and "On machines whose Node.js is older".`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problem = nodeVersionProblem(process.version);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
