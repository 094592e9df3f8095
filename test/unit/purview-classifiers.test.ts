import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import {
  CLASSIFICATION, classifySample, classifyText, creditCardValid, detect, emailValid, ibanValid, ipValid, luhnValid, ssnValid, usPhoneValid,
} from '../../src/sandbox/providers/purview/classifiers';

const lines = (...xs: string[]) => xs.join('\n') + '\n';

/** Deterministic "random" prose with numbers, dates, versions and times but no personal data. */
function randomText(seed: number, words = 2000): string {
  const vocab = ['data', 'share', 'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'report', 'quarter', 'revenue', 'pipeline', 'version', 'release', 'the', 'of', 'and', 'table', 'row', 'column', 'page'];
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = rnd();
    if (r < 0.05) out.push(String(Math.floor(rnd() * 100000)));
    else if (r < 0.07) out.push(`${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 50)}`);
    else if (r < 0.08) out.push(`2024-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`);
    else if (r < 0.09) out.push(`1${Math.floor(rnd() * 9)}:3${Math.floor(rnd() * 9)}:0${Math.floor(rnd() * 9)}`);
    else out.push(vocab[Math.floor(rnd() * vocab.length)]);
    if (rnd() < 0.08) out.push('\n');
  }
  return out.join(' ');
}

describe('sandbox Purview classifiers', () => {
  describe('validators', () => {
    it('Luhn accepts real test card numbers and rejects a changed digit', () => {
      for (const n of ['4111111111111111', '5500000000000004', '340000000000009', '6011000000000004', '378282246310005', '4012888888881881']) {
        assert.equal(luhnValid(n), true, n);
        assert.equal(creditCardValid(n), true, n);
      }
      assert.equal(luhnValid('4111111111111112'), false);
      assert.equal(creditCardValid('4111111111111112'), false);
      // Luhn-valid but no card network / all one digit / mixed separators
      assert.equal(luhnValid('1234567812345670'), true);
      assert.equal(creditCardValid('1234567812345670'), false);
      assert.equal(creditCardValid('0000000000000000'), false);
      assert.equal(creditCardValid('4111 1111-1111 1111'), false);
      assert.equal(creditCardValid('4111 1111 1111 1111'), true);
    });

    it('IBAN mod-97 and country lengths', () => {
      for (const iban of ['DE89370400440532013000', 'GB29NWBK60161331926819', 'GB29 NWBK 6016 1331 9268 19', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'BE68539007547034', 'ES9121000418450200051332']) {
        assert.equal(ibanValid(iban), true, iban);
      }
      assert.equal(ibanValid('DE89370400440532013001'), false, 'wrong check digits');
      assert.equal(ibanValid('DE8937040044053201300'), false, 'wrong length for DE');
      assert.equal(ibanValid('ZZ89370400440532013000'), false, 'unknown country');
    });

    it('SSN rules, e-mail, US phone, IP addresses', () => {
      assert.equal(ssnValid('536-22-1234'), true);
      for (const bad of ['000-12-3456', '666-12-3456', '912-12-3456', '536-00-1234', '536-22-0000', '078-05-1120', '123-45-6789']) assert.equal(ssnValid(bad), false, bad);
      assert.equal(emailValid('ada@contoso.com'), true);
      assert.equal(emailValid('ada..x@contoso.com'), false);
      assert.equal(emailValid('ada@-contoso.com'), false);
      assert.equal(usPhoneValid('(415) 555-0132'), true);
      assert.equal(usPhoneValid('(115) 555-0132'), false);
      assert.equal(usPhoneValid('(411) 555-0132'), false, 'N11 area code');
      assert.equal(ipValid('192.168.1.20'), true);
      assert.equal(ipValid('256.1.1.1'), false);
      assert.equal(ipValid('010.1.1.1'), false);
      assert.equal(ipValid('2001:db8::ff00:42:8329'), true);
    });
  });

  describe('files', () => {
    it('a file of e-mail addresses is classified as e-mail only', () => {
      const text = lines('id,name,email', '1,Ada,ada@contoso.com', '2,Ben,ben.smith@fabrikam.co.uk', '3,Cy,cy+news@example.org', '4,Di,di@northwind.io');
      assert.deepEqual(classifyText(text), [CLASSIFICATION.email]);
    });

    it('a file of card numbers is classified as credit card numbers (not phone numbers or SSNs)', () => {
      const text = lines('4111 1111 1111 1111', '5500-0000-0000-0004', '340000000000009', '6011000000000004', '4012888888881881');
      assert.deepEqual(classifyText(text), [CLASSIFICATION.creditCard]);
    });

    it('Luhn-failing numbers are not credit card numbers, nor are random 16-digit numbers', () => {
      assert.deepEqual(classifyText(lines('4111111111111112', '5500000000000005', '4000000000000001', '6011000000000005')), []);
      const rnd = Array.from({ length: 200 }, (_, i) => {
        const h = crypto.createHash('sha256').update(String(i)).digest();
        return '4' + Array.from(h.subarray(0, 15), (b) => String(b % 10)).join('');
      });
      const result = detect(rnd.join('\n')).find((r) => r.classification === CLASSIFICATION.creditCard);
      assert.ok(result && result.valid > 0 && result.valid < result.candidates, 'about one in ten passes Luhn');
      assert.equal(result?.applies, false, 'below the 60 % threshold');
    });

    it('IBANs, US and EU phone numbers, IP addresses and SSNs', () => {
      assert.deepEqual(classifyText(lines('DE89 3704 0044 0532 0130 00', 'GB29NWBK60161331926819', 'FR1420041010050500013M02606')), [CLASSIFICATION.iban]);
      assert.deepEqual(classifyText(lines('DE89370400440532013001', 'GB29NWBK60161331926810')), [], 'mod-97 failures');
      assert.deepEqual(classifyText(lines('(415) 555-0132', '212-555-0198', '+1 206 555 0143')), [CLASSIFICATION.usPhone]);
      assert.deepEqual(classifyText(lines('+44 20 7946 0958', '+49 30 12345678', '+33 1 42 68 53 00')), [CLASSIFICATION.euPhone]);
      assert.deepEqual(classifyText(lines('10.0.0.1', '192.168.1.20', '172.16.254.1', '2001:db8::ff00:42:8329')), [CLASSIFICATION.ipAddress]);
      assert.deepEqual(classifyText(lines('536-22-1234', '212-45-9876', '401-33-0021')), [CLASSIFICATION.usSsn]);
    });

    it('a mixed customer file gets each kind it holds', () => {
      const text = lines('name,email,phone,ip', 'Ada,ada@contoso.com,(415) 555-0132,10.0.0.1', 'Ben,ben@fabrikam.com,212-555-0198,10.0.0.2', 'Cy,cy@example.org,(206) 555-0143,192.168.7.9');
      assert.deepEqual(classifyText(text).sort(), [CLASSIFICATION.email, CLASSIFICATION.usPhone, CLASSIFICATION.ipAddress].sort());
    });

    it('random text is classified as nothing', () => {
      for (const seed of [1, 2, 3, 42, 1234]) {
        assert.deepEqual(classifyText(randomText(seed)), [], `seed ${seed}`);
      }
      assert.deepEqual(classifySample(crypto.randomBytes(4096)), [], 'binary content is not sampled');
      assert.deepEqual(classifyText(crypto.randomBytes(30_000).toString('base64')), [], 'base64 noise');
    });

    it('one value is not enough (minimum count), the same value twice counts once', () => {
      assert.deepEqual(classifyText('contact: ada@contoso.com'), []);
      assert.deepEqual(classifyText(lines('ada@contoso.com', 'ada@contoso.com')), []);
      assert.deepEqual(classifyText(lines('ada@contoso.com', 'ben@contoso.com')), [CLASSIFICATION.email]);
    });
  });
});
