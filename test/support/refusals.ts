import { expect } from 'vitest';
import { InputError } from '../../src/errors.ts';

/** The InputError `run` is refused with (the test fails when it settles otherwise). */
export async function inputRefusal(run: Promise<unknown>): Promise<InputError> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}
