import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meteringPeriodOf } from '../src/metering/period.ts';
import { dueNotice } from '../src/trials/notice.ts';

const DAY = 86_400_000;
const now = new Date('2026-12-01T12:00:00Z');
const endIn = (days: number) => new Date(now.getTime() + days * DAY);

describe('trial notices', () => {
  test('nothing is due while the end is further away than the first notice day', () => {
    assert.equal(dueNotice(endIn(7.5), now, [7, 3, 1], []), null);
  });

  test('the 7-day notice is due within 7 days of the end, with the whole days left rounded up', () => {
    assert.deepEqual(dueNotice(endIn(6.5), now, [7, 3, 1], []), { day: 7, daysLeft: 7, covers: [7] });
  });

  test('a notice already sent is not due again, the next one comes at its own day', () => {
    assert.equal(dueNotice(endIn(5), now, [7, 3, 1], [7]), null);
    assert.deepEqual(dueNotice(endIn(2.5), now, [7, 3, 1], [7]), { day: 3, daysLeft: 3, covers: [3] });
  });

  test('a trial that starts 2 days before its end gets one notice standing for the ones it passed', () => {
    assert.deepEqual(dueNotice(endIn(2), now, [7, 3, 1], []), { day: 3, daysLeft: 2, covers: [7, 3] });
  });

  test('no notice once the end has come: the end is announced instead', () => {
    assert.equal(dueNotice(now, now, [7, 3, 1], []), null);
    assert.equal(dueNotice(endIn(-1), now, [7, 3, 1], []), null);
  });
});

describe('metering periods', () => {
  test('a day-long period is named by its UTC date', () => {
    assert.equal(meteringPeriodOf(new Date('2026-12-01T23:59:59Z'), DAY), '2026-12-01');
    assert.equal(meteringPeriodOf(new Date('2026-12-02T00:00:00Z'), DAY), '2026-12-02');
  });

  test('a shorter period is named by the time it starts', () => {
    assert.equal(meteringPeriodOf(new Date('2026-12-01T10:59:59Z'), 3_600_000), '2026-12-01T10:00:00.000Z');
  });
});
