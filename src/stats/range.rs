//! The report's date range (whole days in Staffel's time zone, both ends included) and the
//! weeks it covers; what the breakdown of the ticket figures is.
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// How far back a report may reach: two years of weeks is what a chart can still show.
pub const MAX_DAYS: i64 = 731;
/// Without a range: the last twelve weeks.
pub const DEFAULT_DAYS: i64 = 12 * 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One week of the report, clipped to the range: `[start, end)` in UTC.
#[derive(Debug, Clone, Serialize)]
pub struct Week {
    /// The week's Monday (ISO date), its name in tables and CSV.
    pub monday: String,
    #[serde(skip)]
    pub start: DateTime<Utc>,
    #[serde(skip)]
    pub end: DateTime<Utc>,
}

impl Range {
    /// The range a request names; an empty field takes its default (to: today; from: twelve
    /// weeks before `to`). A date that is none, a range that runs backwards or reaches
    /// further than two years is refused with the field it concerns.
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> AppResult<Range> {
        let date = |field: &str, text: &str| -> AppResult<Option<NaiveDate>> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| {
                AppError::invalid_with(field, "stats.date_invalid", text.chars().take(40).collect::<String>())
            })
        };
        let to_date = date("to", to)?.unwrap_or(today);
        let from_date = date("from", from)?.unwrap_or(to_date - Duration::days(DEFAULT_DAYS - 1));
        if from_date > to_date {
            return Err(AppError::invalid("from", "stats.range_reversed"));
        }
        if (to_date - from_date).num_days() >= MAX_DAYS {
            return Err(AppError::invalid("from", "stats.range_too_long"));
        }
        Ok(Range { from: from_date, to: to_date })
    }

    /// The whole range in UTC: from the first day's midnight to the midnight after the last.
    pub fn window(&self, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (midnight(tz, self.from), midnight(tz, self.to + Duration::days(1)))
    }

    /// The weeks (Monday to Monday) the range touches, the first and last clipped to it.
    pub fn weeks(&self, tz: chrono_tz::Tz) -> Vec<Week> {
        let (start, end) = self.window(tz);
        let mut monday = self.from - Duration::days(self.from.weekday().num_days_from_monday() as i64);
        let mut weeks = Vec::new();
        while monday <= self.to {
            let next = monday + Duration::days(7);
            weeks.push(Week {
                monday: monday.to_string(),
                start: midnight(tz, monday).max(start),
                end: midnight(tz, next).min(end),
            });
            monday = next;
        }
        weeks
    }
}

/// Midnight of `day` in `tz`, in UTC; a midnight that a clock change skips is the first
/// moment of the day that exists.
fn midnight(tz: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// What the ticket figures are broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Breakdown {
    School,
    Service,
    Priority,
}

impl Breakdown {
    pub const ALL: [Breakdown; 3] = [Breakdown::School, Breakdown::Service, Breakdown::Priority];

    /// The breakdown a request names; nothing names `default`.
    pub fn parse(text: &str, default: Breakdown) -> AppResult<Breakdown> {
        Ok(match text.trim() {
            "" => default,
            "school" => Breakdown::School,
            "service" => Breakdown::Service,
            "priority" => Breakdown::Priority,
            _ => return Err(AppError::invalid("breakdown", "stats.breakdown_invalid")),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::School => "school",
            Breakdown::Service => "service",
            Breakdown::Priority => "priority",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn default_is_twelve_weeks_up_to_today() {
        let r = Range::parse("", "", day("2026-12-03")).unwrap();
        assert_eq!((r.from, r.to), (day("2026-09-11"), day("2026-12-03")));
    }

    #[test]
    fn weeks_start_on_monday_in_berlin_and_are_clipped() {
        let r = Range::parse("2026-10-21", "2026-11-03", day("2026-12-03")).unwrap();
        let weeks = r.weeks(chrono_tz::Europe::Berlin);
        let mondays: Vec<_> = weeks.iter().map(|w| w.monday.as_str()).collect();
        assert_eq!(mondays, ["2026-10-19", "2026-10-26", "2026-11-02"]);
        // Summer time ended on 25 October: the first week starts at 22:00 UTC, the next at 23:00.
        assert_eq!(weeks[0].start.to_rfc3339(), "2026-10-20T22:00:00+00:00");
        assert_eq!(weeks[1].start.to_rfc3339(), "2026-10-25T23:00:00+00:00");
        assert_eq!(weeks[2].end.to_rfc3339(), "2026-11-03T23:00:00+00:00");
    }

    #[test]
    fn bad_ranges_name_their_field() {
        let today = day("2026-12-03");
        assert_eq!(Range::parse("2026-13-01", "", today).unwrap_err().field(), Some("from"));
        assert_eq!(Range::parse("", "gestern", today).unwrap_err().field(), Some("to"));
        assert!(Range::parse("2026-12-02", "2026-12-01", today).is_err());
        assert!(Range::parse("2024-01-01", "2026-12-01", today).is_err());
    }
}
