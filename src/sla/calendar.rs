//! Business time: SLA targets count only the desk's working hours (local time, with its
//! week and holidays), so a P2 ticket opened on Friday afternoon is due on Monday, not on
//! Saturday. Daylight-saving changes are handled by working in local time per day.
use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// How far ahead a calculation may look before it gives up on a calendar without
/// working time (ten years).
const MAX_DAYS: i64 = 3660;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub tz: Tz,
    /// Monday first: opening and closing minute after local midnight, or closed.
    pub week: [Option<(u32, u32)>; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Monday to Friday, 7:30 to 16:00.
    pub fn school_week(tz: Tz) -> Calendar {
        let day = Some((7 * 60 + 30, 16 * 60));
        Calendar { tz, week: [day, day, day, day, day, None, None], holidays: BTreeSet::new() }
    }

    fn has_working_time(&self) -> bool {
        self.week.iter().any(|d| matches!(d, Some((open, close)) if close > open))
    }

    /// The working window of a local date, as UTC instants, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let (open, close) = self.week[date.weekday().num_days_from_monday() as usize]?;
        if close <= open {
            return None;
        }
        let at = |minute: u32| -> Option<DateTime<Utc>> {
            let time = NaiveTime::from_hms_opt(minute.min(24 * 60 - 1) / 60, minute.min(24 * 60 - 1) % 60, 0)?;
            // A local time skipped by the clock change counts from just after the gap.
            self.tz
                .from_local_datetime(&date.and_time(time))
                .earliest()
                .or_else(|| self.tz.from_local_datetime(&(date.and_time(time) + Duration::hours(1))).earliest())
                .map(|t| t.with_timezone(&Utc))
        };
        Some((at(open)?, at(close)?))
    }

    fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.tz).date_naive()
    }

    /// Whether `instant` falls in the desk's working hours. A calendar without any working
    /// time is always open (it counts every minute too).
    pub fn is_open(&self, instant: DateTime<Utc>) -> bool {
        if !self.has_working_time() {
            return true;
        }
        self.window(self.local_date(instant)).is_some_and(|(open, close)| open <= instant && instant < close)
    }

    /// The instant `minutes` business minutes after `start`. A calendar without any
    /// working time counts every minute.
    pub fn add_business_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return start;
        }
        if !self.has_working_time() {
            return start + Duration::minutes(minutes);
        }
        let mut remaining = Duration::minutes(minutes);
        let mut date = self.local_date(start);
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = self.window(date) {
                let from = start.max(open);
                if from < close {
                    let available = close - from;
                    if remaining <= available {
                        return from + remaining;
                    }
                    remaining -= available;
                }
            }
            date = date.succ_opt().unwrap_or(date);
        }
        start + Duration::minutes(minutes)
    }

    /// Business minutes from `from` to `to` (zero when `to` is not later).
    pub fn business_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        if !self.has_working_time() {
            return (to - from).num_minutes();
        }
        let mut total = Duration::zero();
        let mut date = self.local_date(from);
        let last = self.local_date(to);
        for _ in 0..MAX_DAYS {
            if let Some((open, close)) = self.window(date) {
                let (a, b) = (from.max(open), to.min(close));
                if b > a {
                    total += b - a;
                }
            }
            if date >= last {
                break;
            }
            date = date.succ_opt().unwrap_or(date);
        }
        total.num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Berlin.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
    }

    #[test]
    fn within_one_day() {
        let cal = Calendar::school_week(Berlin);
        // Monday 2026-11-23, 9:00 + 2 h = 11:00.
        assert_eq!(cal.add_business_minutes(local(2026, 11, 23, 9, 0), 120), local(2026, 11, 23, 11, 0));
    }

    #[test]
    fn friday_afternoon_rolls_over_the_weekend() {
        let cal = Calendar::school_week(Berlin);
        // Friday 15:00 + 2 h: one hour on Friday, one from Monday 7:30.
        assert_eq!(cal.add_business_minutes(local(2026, 11, 27, 15, 0), 120), local(2026, 11, 30, 8, 30));
    }

    #[test]
    fn before_opening_and_after_closing() {
        let cal = Calendar::school_week(Berlin);
        assert_eq!(cal.add_business_minutes(local(2026, 11, 23, 6, 0), 30), local(2026, 11, 23, 8, 0));
        assert_eq!(cal.add_business_minutes(local(2026, 11, 23, 18, 0), 30), local(2026, 11, 24, 8, 0));
        // Saturday counts from Monday.
        assert_eq!(cal.add_business_minutes(local(2026, 11, 28, 10, 0), 60), local(2026, 11, 30, 8, 30));
    }

    #[test]
    fn holidays_are_skipped() {
        let mut cal = Calendar::school_week(Berlin);
        cal.holidays.insert(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap());
        cal.holidays.insert(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap());
        // Wednesday 23 Dec 15:30 + 1 h: 30 min that day, then Monday 28 Dec.
        assert_eq!(cal.add_business_minutes(local(2026, 12, 23, 15, 30), 60), local(2026, 12, 28, 8, 0));
    }

    #[test]
    fn daylight_saving_changes_keep_local_hours() {
        let cal = Calendar::school_week(Berlin);
        // Friday 27 March 2026 15:00 + 2 h; the clocks go forward on Sunday 29 March.
        assert_eq!(cal.add_business_minutes(local(2026, 3, 27, 15, 0), 120), local(2026, 3, 30, 8, 30));
        // Same across the change back (Sunday 25 October 2026).
        assert_eq!(cal.add_business_minutes(local(2026, 10, 23, 15, 0), 120), local(2026, 10, 26, 8, 30));
    }

    #[test]
    fn minutes_between_counts_only_working_time() {
        let cal = Calendar::school_week(Berlin);
        assert_eq!(cal.business_minutes_between(local(2026, 11, 27, 15, 0), local(2026, 11, 30, 8, 30)), 120);
        assert_eq!(cal.business_minutes_between(local(2026, 11, 30, 8, 30), local(2026, 11, 27, 15, 0)), 0);
        let start = local(2026, 11, 23, 9, 17);
        for minutes in [1, 59, 510, 511, 2000, 10_000] {
            let due = cal.add_business_minutes(start, minutes);
            assert_eq!(cal.business_minutes_between(start, due), minutes, "{minutes}");
        }
    }

    #[test]
    fn a_calendar_without_working_time_counts_every_minute() {
        let cal = Calendar { tz: Berlin, week: [None; 7], holidays: BTreeSet::new() };
        let start = local(2026, 11, 23, 9, 0);
        assert_eq!(cal.add_business_minutes(start, 90), start + Duration::minutes(90));
    }
}
