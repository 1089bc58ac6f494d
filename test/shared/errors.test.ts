import { describe, expect, it } from 'vitest';
import { CodedError, ERROR_CATALOGUE, PackageError, StationError } from '../../src-shared/errors.ts';
import { ApiError } from '../../src-server/errors.ts';

describe('the one error catalogue', () => {
  it('gives every code an HTTP status and a Latvian and an English text that are not the same', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.lv.length, code).toBeGreaterThan(10);
      expect(entry.en.length, code).toBeGreaterThan(10);
      expect(entry.lv, code).not.toBe(entry.en);
      expect(entry.en, code).toMatch(/[.)]$/);
    }
  });

  it('is the catalogue of the station, the central API and the shared code alike', () => {
    const bodies = [new StationError('NOT_FOUND', 'x').toBody(), new ApiError('NOT_FOUND', 'x').toBody(), new PackageError('NOT_FOUND', 'x').toBody()];
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(new ApiError('SEQ_GAP', 'from 5', { expectedSeq: 3 }).toBody()).toEqual({ code: 'SEQ_GAP', message: { lv: ERROR_CATALOGUE.SEQ_GAP.lv, en: ERROR_CATALOGUE.SEQ_GAP.en }, detail: 'from 5', expectedSeq: 3 });
    expect(new PackageError('PACKAGE_MALFORMED')).toBeInstanceOf(CodedError);
    expect(new ApiError('UPLOAD_BUSY').status).toBe(423);
  });

  it('fills the places a text names from the error, in each language, and a client rebuilds the same text from the body', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const places = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(places(entry.lv), code).toEqual(places(entry.en));
    }
    const error = new StationError('STAFF_ROLE_MISSING', 'unlockPackage needs package.unlock', { params: { roles: { lv: 'eksāmenu centra darbinieks', en: 'centre staff' } } });
    expect(error.text).toEqual({ lv: 'Jums nav tiesību to darīt. To drīkst darīt: eksāmenu centra darbinieks.', en: 'You do not have the right to do this. It may be done by: centre staff.' });
    expect(StationError.fromBody(error.toBody()).text).toEqual(error.text);
  });

  it('rebuilds an unknown code from a reply as INTERNAL, keeping its detail', () => {
    expect(StationError.fromBody({ code: 'NO_SUCH_CODE' as never, message: { lv: 'a', en: 'b' }, detail: 'd' })).toMatchObject({ code: 'INTERNAL', detail: 'd' });
  });
});
