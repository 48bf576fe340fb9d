//! Reading and changing the desk's SLA targets, business week and holidays. Only desk
//! leads (and the command line) change them; every change is audited.
use std::collections::BTreeSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::calendar::Calendar;
use crate::audit::{self, By, Target};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entities::{business_hours, holiday, sla_target, Priority};

/// First response and resolution, in business minutes: P1 a service is down for a
/// school, P4 low.
pub const DEFAULT_TARGETS: [(Priority, i32, i32); 4] = [
    (Priority::P1, 60, 8 * 60),
    (Priority::P2, 4 * 60, 16 * 60),
    (Priority::P3, 8 * 60, 40 * 60),
    (Priority::P4, 16 * 60, 80 * 60),
];

/// On a fresh database: the default targets and a Monday-to-Friday week. Later starts
/// change nothing, so a desk lead's choices (even an empty week) stay.
pub async fn ensure_defaults(db: &Db) -> AppResult<()> {
    if sla_target::Entity::find().count(db.read()).await? > 0 {
        return Ok(());
    }
    let txn = db.write().await?;
    // Looked at again in the write turn: another process may have set them meanwhile.
    if sla_target::Entity::find().count(&txn).await? > 0 {
        return Ok(());
    }
    for (priority, first, resolution) in DEFAULT_TARGETS {
        sla_target::ActiveModel {
            priority: Set(priority),
            first_response_minutes: Set(first),
            resolution_minutes: Set(resolution),
        }
        .insert(&txn)
        .await?;
    }
    for weekday in 1..=5 {
        business_hours::ActiveModel {
            weekday: Set(weekday),
            opens_minute: Set(7 * 60 + 30),
            closes_minute: Set(16 * 60),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn targets<C: ConnectionTrait>(db: &C) -> AppResult<Vec<sla_target::Model>> {
    Ok(sla_target::Entity::find().order_by_asc(sla_target::Column::Priority).all(db).await?)
}

pub async fn calendar<C: ConnectionTrait>(db: &C, tz: chrono_tz::Tz) -> AppResult<Calendar> {
    let mut week = [None; 7];
    for day in business_hours::Entity::find().all(db).await? {
        if (1..=7).contains(&day.weekday) {
            week[(day.weekday - 1) as usize] = Some((day.opens_minute.max(0) as u32, day.closes_minute.max(0) as u32));
        }
    }
    let holidays: BTreeSet<NaiveDate> = holiday::Entity::find().all(db).await?.into_iter().map(|h| h.day).collect();
    Ok(Calendar { tz, week, holidays })
}

/// Hours as typed ("4", "0.5", "1,5") to whole minutes.
fn hours_to_minutes(field: &str, text: &str) -> AppResult<i32> {
    let hours: f64 =
        text.trim().replace(',', ".").parse().map_err(|_| AppError::invalid(field, "validation.number"))?;
    if !hours.is_finite() || hours <= 0.0 || hours > 2000.0 {
        return Err(AppError::invalid_with(field, "validation.range", "0–2000"));
    }
    Ok((hours * 60.0).round().max(1.0) as i32)
}

/// "07:30" to minutes after midnight.
fn clock_to_minutes(field: &str, text: &str) -> AppResult<i32> {
    let (h, m) = text.trim().split_once(':').ok_or_else(|| AppError::invalid(field, "desk.time_format"))?;
    let (h, m): (i32, i32) = (
        h.parse().map_err(|_| AppError::invalid(field, "desk.time_format"))?,
        m.parse().map_err(|_| AppError::invalid(field, "desk.time_format"))?,
    );
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || h * 60 + m > 24 * 60 {
        return Err(AppError::invalid(field, "desk.time_format"));
    }
    Ok(h * 60 + m)
}

pub struct TargetInput {
    pub priority: String,
    pub first_response_hours: String,
    pub resolution_hours: String,
}

pub async fn update_targets(db: &Db, by: By<'_>, inputs: &[TargetInput]) -> AppResult<()> {
    by.require_desk_lead()?;
    let mut rows = Vec::new();
    for input in inputs {
        let priority =
            Priority::parse(&input.priority).ok_or_else(|| AppError::invalid("priority", "desk.priority_invalid"))?;
        if rows.iter().any(|(p, _, _): &(Priority, i32, i32)| *p == priority) {
            return Err(AppError::invalid("priority", "desk.priority_invalid"));
        }
        let first = hours_to_minutes(&format!("first_{}", input.priority), &input.first_response_hours)?;
        let resolution = hours_to_minutes(&format!("resolution_{}", input.priority), &input.resolution_hours)?;
        if resolution < first {
            return Err(AppError::invalid(
                &format!("resolution_{}", input.priority),
                "desk.resolution_before_response",
            ));
        }
        rows.push((priority, first, resolution));
    }
    let txn = db.write().await?;
    for (priority, first, resolution) in &rows {
        sla_target::Entity::delete_by_id(*priority).exec(&txn).await?;
        sla_target::ActiveModel {
            priority: Set(*priority),
            first_response_minutes: Set(*first),
            resolution_minutes: Set(*resolution),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(&txn, by, "desk.sla_targets", Target { kind: "desk", id: None, school_id: None }, json!(rows))
        .await?;
    txn.commit().await?;
    Ok(())
}

pub struct DayInput {
    /// ISO weekday, 1 Monday … 7 Sunday.
    pub weekday: i16,
    pub open: bool,
    pub opens: String,
    pub closes: String,
}

pub async fn update_week(db: &Db, by: By<'_>, days: &[DayInput]) -> AppResult<()> {
    by.require_desk_lead()?;
    let mut rows = Vec::new();
    for day in days {
        if !(1..=7).contains(&day.weekday) || days.iter().filter(|d| d.weekday == day.weekday).count() > 1 {
            return Err(AppError::invalid("weekday", "desk.weekday_invalid"));
        }
        if !day.open {
            continue;
        }
        let opens = clock_to_minutes(&format!("opens_{}", day.weekday), &day.opens)?;
        let closes = clock_to_minutes(&format!("closes_{}", day.weekday), &day.closes)?;
        if closes <= opens {
            return Err(AppError::invalid(&format!("closes_{}", day.weekday), "desk.closes_before_opens"));
        }
        rows.push((day.weekday, opens, closes));
    }
    let txn = db.write().await?;
    business_hours::Entity::delete_many().exec(&txn).await?;
    for (weekday, opens, closes) in &rows {
        business_hours::ActiveModel { weekday: Set(*weekday), opens_minute: Set(*opens), closes_minute: Set(*closes) }
            .insert(&txn)
            .await?;
    }
    audit::record(&txn, by, "desk.business_hours", Target { kind: "desk", id: None, school_id: None }, json!(rows))
        .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn add_holiday(db: &Db, by: By<'_>, day: &str, name: &str) -> AppResult<()> {
    by.require_desk_lead()?;
    let date =
        NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid("day", "desk.date_format"))?;
    let name = validate::text("name", name, validate::NAME_MAX)?;
    let txn = db.write().await?;
    if holiday::Entity::find_by_id(date).one(&txn).await?.is_some() {
        return Err(AppError::invalid("day", "desk.holiday_exists"));
    }
    holiday::ActiveModel { day: Set(date), name: Set(name.clone()) }.insert(&txn).await?;
    audit::record(
        &txn,
        by,
        "desk.holiday_add",
        Target { kind: "desk", id: None, school_id: None },
        json!({ "day": date, "name": name }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_holiday(db: &Db, by: By<'_>, day: &str) -> AppResult<()> {
    by.require_desk_lead()?;
    let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| AppError::NotFound)?;
    let txn = db.write().await?;
    let deleted = holiday::Entity::delete_many().filter(holiday::Column::Day.eq(date)).exec(&txn).await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        by,
        "desk.holiday_remove",
        Target { kind: "desk", id: None, school_id: None },
        json!({ "day": date }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn holidays<C: ConnectionTrait>(db: &C) -> AppResult<Vec<holiday::Model>> {
    Ok(holiday::Entity::find().order_by_asc(holiday::Column::Day).all(db).await?)
}

/// The week as the settings page shows it: one row per weekday with "HH:MM" times.
#[derive(Debug, Serialize)]
pub struct DayView {
    pub weekday: i16,
    /// The weekday as a catalogue key ("1" … "7").
    pub key: String,
    pub open: bool,
    pub opens: String,
    pub closes: String,
}

pub fn week_view(calendar: &Calendar) -> Vec<DayView> {
    let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    (0..7)
        .map(|i| match calendar.week[i] {
            Some((opens, closes)) => DayView {
                weekday: i as i16 + 1,
                key: (i + 1).to_string(),
                open: true,
                opens: clock(opens),
                closes: clock(closes),
            },
            None => DayView {
                weekday: i as i16 + 1,
                key: (i + 1).to_string(),
                open: false,
                opens: "07:30".into(),
                closes: "16:00".into(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hours_and_clock_times() {
        assert_eq!(hours_to_minutes("h", "1,5").unwrap(), 90);
        assert_eq!(hours_to_minutes("h", "4").unwrap(), 240);
        for bad in ["", "x", "-1", "0", "NaN", "inf", "99999"] {
            assert!(hours_to_minutes("h", bad).is_err(), "{bad}");
        }
        assert_eq!(clock_to_minutes("t", "07:30").unwrap(), 450);
        assert_eq!(clock_to_minutes("t", "24:00").unwrap(), 1440);
        for bad in ["", "7", "25:00", "07:60", "aa:bb", "24:01"] {
            assert!(clock_to_minutes("t", bad).is_err(), "{bad}");
        }
    }
}
