/**
 * "Verify in this browser" (/assets/verify.js): on a click of #verify-button, fetches the evidence bundle
 * and the log's key named by the button, runs the ledger's own verifier on them (the code `verbatim verify`
 * runs, bundled with the browser crypto of libs/ledger/src/crypto.browser.ts), checks that the bundle is of the
 * version the page shows (the button's data-statement-id, data-version and data-record-sha256) and lists each
 * step in #verify-steps. Everything is written as text: the bundle is untrusted input, and so is what it says.
 */
import { ed25519Engine } from '@app/ledger/crypto.browser';
import { verifyEvidenceBundle } from '@app/ledger/evidence/verify-bundle';
import { describeReport, fetchFailureStep, notYetLoggedStep, type VerifyStep } from './verify-steps';

/** The archive's 202: captured, but no signed checkpoint covers it yet. */
class NotYetLogged extends Error {}

/** Fetches a same-origin URL as text; throws with a reason a reader can act on. */
async function fetchText(url: string, what: string): Promise<string> {
  const target = new URL(url, window.location.href);
  if (target.origin !== window.location.origin) throw new Error(`${what} must come from this site`);
  let response: Response;
  try {
    response = await fetch(target, { credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new Error(`the request failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (response.status === 202) throw new NotYetLogged();
  if (response.status !== 200) {
    let message = '';
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === 'string') message = `: ${body.message}`;
    } catch {
      // not a JSON error body: the status says enough
    }
    throw new Error(`HTTP ${response.status}${message}`);
  }
  return text;
}

function renderStep(list: HTMLOListElement, step: VerifyStep): void {
  const item = document.createElement('li');
  item.dataset.step = step.id;
  item.dataset.result = step.result;
  const label = document.createElement('strong');
  label.textContent = step.label;
  item.append(label, document.createTextNode(`: ${step.result} (${step.detail})`));
  list.append(item);
}

async function run(button: HTMLButtonElement, list: HTMLOListElement): Promise<void> {
  button.disabled = true;
  list.replaceChildren();
  list.setAttribute('aria-busy', 'true');
  try {
    let bundleText: string;
    let keyText: string;
    try {
      bundleText = await fetchText(button.dataset.bundleUrl ?? '', 'the evidence bundle');
    } catch (error) {
      renderStep(
        list,
        error instanceof NotYetLogged
          ? notYetLoggedStep()
          : fetchFailureStep('the evidence bundle', (error as Error).message),
      );
      return;
    }
    try {
      keyText = await fetchText(button.dataset.keyUrl ?? '', "the log's key");
    } catch (error) {
      renderStep(list, fetchFailureStep("the log's key", (error as Error).message));
      return;
    }
    const report = await verifyEvidenceBundle(bundleText, { logKey: keyText.trim() });
    const { statementId, version, recordSha256 } = button.dataset;
    const shown = { statementId, version: version ? Number(version) : undefined, recordSha256 };
    for (const step of describeReport(report, await ed25519Engine(), shown)) renderStep(list, step);
  } finally {
    list.removeAttribute('aria-busy');
    button.disabled = false;
  }
}

function start(): void {
  const button = document.getElementById('verify-button');
  const list = document.getElementById('verify-steps');
  if (!(button instanceof HTMLButtonElement) || !(list instanceof HTMLOListElement)) return;
  button.addEventListener('click', () => void run(button, list));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
