/**
 * A deployment setting (bots file, context value, name) that cannot work. `bin/app.ts` prints its
 * message alone and stops synth; anything else is a bug and keeps its stack trace.
 */
export class InvalidDeploymentConfiguration extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDeploymentConfiguration';
  }
}
