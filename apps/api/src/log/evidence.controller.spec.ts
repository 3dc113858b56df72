import { buildSampleLog } from '@app/ledger/evidence/sample-bundle.fixture';
import { evidenceFileName } from './evidence.controller';

describe('the name an evidence bundle downloads under', () => {
  const id = '0b6c5b8e-8f0a-4e47-9d3c-6a1f1d3c2b10';

  it('names a version bundle by the version its log entry records, asked for by number or not', async () => {
    // the sample's entry records version 1
    const { bundle } = await buildSampleLog();
    expect(evidenceFileName(id, { version: 1 }, bundle)).toBe(`${id}.v1.evidence.json`);
    expect(evidenceFileName(id, {}, bundle)).toBe(`${id}.v1.evidence.json`);
  });

  it('names an observation bundle by its observation', async () => {
    const { bundle } = await buildSampleLog();
    const observation = '5f1e0c7a-3b2d-4c8e-9a6f-0d1e2f3a4b5c';
    expect(evidenceFileName(id, { observation }, bundle)).toBe(
      `${id}.observation-${observation}.evidence.json`,
    );
  });
});
