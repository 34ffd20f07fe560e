// For a suite that is one user session, step by step: after a failed step, the later steps of
// that suite are skipped (reported as pending), since they would only repeat the failure.
//
// Not mocha's `this.bail(true)`: a bailing suite checks the failure count of the whole run
// (runner.js: `if (self.failures && suite._bail)`), so one failure in any earlier file made
// every later bailing suite vanish from the run without a word (41 of 51 e2e tests ran).

/** Declares the hooks in the calling `describe`. */
export function stepByStep(): void {
  let failed = false;
  beforeEach(function () {
    if (failed) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });
}
