import { expect } from "chai";
import fc from "fast-check";
import { daysOf, formatIsoDate, parseIsoDate, periodStartOf, usageRange, utcMidnight } from "../../functions/quotaPeriods";

const DAY_MS = 86_400_000;
/** UTC midnights from 1970 to 2200. */
const midnights = fc.integer({ min: 0, max: 84_000 }).map((days) => days * DAY_MS);

describe("functions/quotaPeriods", () => {
  it("reads yyyy-MM-dd dates and nothing else: no rolled-over days, no other spellings", () => {
    expect(parseIsoDate("2026-12-06")).to.equal(Date.UTC(2026, 11, 6));
    expect(parseIsoDate("2024-02-29")).to.equal(Date.UTC(2024, 1, 29));
    for (const text of ["2026-02-29", "2026-02-30", "2026-13-01", "2026-12-6", "20261206", "2026-12-06T00:00:00Z", " 2026-12-06", ""]) {
      expect(parseIsoDate(text), text).to.equal(undefined);
    }
  });

  it("formats and reads back every day (property)", () => {
    fc.assert(fc.property(midnights, (t) => parseIsoDate(formatIsoDate(t)) === t));
  });

  it("starts a period on the day itself, the Sunday before, or the first of the month (property)", () => {
    fc.assert(
      fc.property(midnights, (t) => {
        expect(periodStartOf(t, "DAY")).to.equal(t);
        const week = periodStartOf(t, "WEEK");
        expect(new Date(week).getUTCDay()).to.equal(0);
        expect(t - week).to.be.within(0, 6 * DAY_MS);
        const month = new Date(periodStartOf(t, "MONTH"));
        expect([month.getUTCDate(), month.getUTCMonth(), month.getUTCFullYear()]).to.deep.equal([1, new Date(t).getUTCMonth(), new Date(t).getUTCFullYear()]);
      }),
    );
  });

  it("defaults to the current period so far, in UTC", () => {
    const now = Date.UTC(2026, 11, 9, 23, 59); // a Wednesday
    expect(usageRange({}, "DAY", now)).to.deep.equal({ startDate: "2026-12-09", endDate: "2026-12-09" });
    expect(usageRange({}, "WEEK", now)).to.deep.equal({ startDate: "2026-12-06", endDate: "2026-12-09" });
    expect(usageRange({}, "MONTH", now)).to.deep.equal({ startDate: "2026-12-01", endDate: "2026-12-09" });
    expect(usageRange({}, undefined, now)).to.deep.equal({ startDate: "2026-12-09", endDate: "2026-12-09" });
    expect(usageRange({ endDate: "2026-11-15" }, "MONTH", now)).to.deep.equal({ startDate: "2026-11-01", endDate: "2026-11-15" });
    expect(utcMidnight(now)).to.equal(Date.UTC(2026, 11, 9));
  });

  it("names a malformed date and a range that runs backwards", () => {
    expect(usageRange({ startDate: "yesterday" }, "DAY")).to.deep.equal({ problem: 'startDate must be a date as yyyy-MM-dd (got "yesterday")' });
    expect(usageRange({ endDate: "2026-1-1" }, "DAY")).to.deep.equal({ problem: 'endDate must be a date as yyyy-MM-dd (got "2026-1-1")' });
    expect(usageRange({ startDate: "2026-12-02", endDate: "2026-12-01" }, "DAY")).to.deep.equal({ problem: "endDate 2026-12-01 is before startDate 2026-12-02" });
  });

  it("lists every day of a range, both ends included (property)", () => {
    fc.assert(
      fc.property(midnights, fc.integer({ min: 0, max: 400 }), (start, length) => {
        const days = daysOf({ startDate: formatIsoDate(start), endDate: formatIsoDate(start + length * DAY_MS) });
        return days.length === length + 1 && days[0] === formatIsoDate(start) && days.every((d, i) => parseIsoDate(d) === start + i * DAY_MS);
      }),
    );
  });
});
