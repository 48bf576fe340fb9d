//! The orders a desk queue can be listed in (`sort`), and where a page of it ends (the
//! cursor). Every order is keyset-paged: a page reads the tickets after the last one shown,
//! in the order of an index that starts with the ticket's status (migration 000021), so page
//! 1,000 costs what page 1 does.
//!
//! - `updated`: newest change first (the default);
//! - `created`: oldest first, i.e. by age;
//! - `due`: the SLA's next due time first (`tickets.next_due`, exactly the queue's "due"
//!   column: the unmet first response's due time or else the resolution's, none for a ticket
//!   no longer worked on); tickets without one come last, oldest ticket number first;
//! - `priority`: P1 first, the oldest first within a priority;
//!
//! and each reversed with a leading `-` (`-created`: newest first). Tickets without a due
//! time come last in both directions.
use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, SimpleExpr};
use sea_orm::{Condition, EntityTrait, Order, QueryFilter, QueryOrder, QueryResult, QuerySelect, Select};

use super::status::Priority;
use crate::error::{AppError, AppResult};
use entities::ticket;

/// What a queue is ordered by; each in its natural direction (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Updated,
    Created,
    Due,
    Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    /// Against the key's natural direction (`-created`).
    pub reversed: bool,
}

impl Default for Sort {
    fn default() -> Sort {
        Sort { key: SortKey::Updated, reversed: false }
    }
}

impl Sort {
    /// The order a query names; nothing names the default (newest change first).
    pub fn parse(text: &str) -> AppResult<Sort> {
        let (reversed, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let key = match name {
            "" if !reversed => return Ok(Sort::default()),
            "updated" => SortKey::Updated,
            "created" => SortKey::Created,
            "due" => SortKey::Due,
            "priority" => SortKey::Priority,
            _ => return Err(AppError::invalid("sort", "tickets.sort_invalid")),
        };
        Ok(Sort { key, reversed })
    }

    /// The key's name in query strings (`due`), without the direction.
    pub fn key_name(self) -> &'static str {
        match self.key {
            SortKey::Updated => "updated",
            SortKey::Created => "created",
            SortKey::Due => "due",
            SortKey::Priority => "priority",
        }
    }

    /// The order as the query string writes it (`-created`).
    pub fn as_str(self) -> String {
        format!("{}{}", if self.reversed { "-" } else { "" }, self.key_name())
    }

    pub fn is_default(self) -> bool {
        self == Sort::default()
    }

    /// Whether the page runs from the largest key to the smallest.
    fn descending(self) -> bool {
        (self.key == SortKey::Updated) != self.reversed
    }

    /// The time column of the key: for `priority` the one within a priority.
    fn time_column(self) -> SimpleExpr {
        match self.key {
            SortKey::Updated => Expr::col(ticket::Column::UpdatedAt),
            SortKey::Created | SortKey::Priority => Expr::col(ticket::Column::CreatedAt),
            // Generated from the due times and the status (migration 000021); not in the entity.
            SortKey::Due => Expr::col(Alias::new("next_due")),
        }
    }
}

/// Where a ticket stands in a sorted queue: its key (priority and time; no time for a
/// ticket without a due time) and, to break ties, its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub priority: Option<Priority>,
    pub time: Option<DateTime<Utc>>,
    pub id: i32,
}

const KEY_RANK: &str = "key_rank";
const KEY_TIME: &str = "key_time";

impl Position {
    /// Page order: the key in the sort's direction, then the id in the same direction; a
    /// ticket without a due time after every ticket with one.
    pub fn page_order(sort: Sort, a: &Position, b: &Position) -> Ordering {
        let undated_last = a.time.is_none().cmp(&b.time.is_none());
        let ascending = a.priority.cmp(&b.priority).then(a.time.cmp(&b.time)).then(a.id.cmp(&b.id));
        undated_last.then(if sort.descending() { ascending.reverse() } else { ascending })
    }

    /// A page's cursor: the default order's keeps its form from before there were others
    /// (`<time>_<id>`), so that links and scripts of then still work; the others name their
    /// order first (`due_<time>_<id>`, `due_none_<id>`, `priority_P1_<time>_<id>`).
    pub fn cursor(&self, sort: Sort) -> String {
        let time = match self.time {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            None => "none".into(),
        };
        let mut parts = Vec::new();
        if !sort.is_default() {
            parts.push(sort.as_str());
        }
        if let Some(p) = self.priority {
            parts.push(p.as_str().to_string());
        }
        parts.push(time);
        parts.push(self.id.to_string());
        parts.join("_")
    }

    /// Reads a cursor of this order; one of another order is refused (its key means
    /// nothing in this one), and so is anything that is no cursor.
    pub fn parse_cursor(after: &str, sort: Sort) -> AppResult<Option<Position>> {
        if after.is_empty() {
            return Ok(None);
        }
        let invalid = || AppError::invalid("after", "tickets.cursor_invalid");
        let mut parts: Vec<&str> = after.split('_').collect();
        let of_sort = match parts.len() {
            2 => Sort::default(),
            3 | 4 => Sort::parse(parts.remove(0)).map_err(|_| invalid())?,
            _ => return Err(invalid()),
        };
        if of_sort != sort {
            return Err(AppError::invalid_with("after", "tickets.cursor_other_sort", sort.as_str()));
        }
        let priority = match (sort.key, parts.len()) {
            (SortKey::Priority, 3) => Some(Priority::parse(parts.remove(0)).ok_or_else(invalid)?),
            (_, 2) => None,
            _ => return Err(invalid()),
        };
        let time = match (sort.key, parts[0]) {
            (SortKey::Due, "none") => None,
            (_, text) => Some(DateTime::parse_from_rfc3339(text).map_err(|_| invalid())?.with_timezone(&Utc)),
        };
        let id: i32 = parts[1].parse().map_err(|_| invalid())?;
        Ok(Some(Position { priority, time, id }))
    }

    /// The position a row of `arm_selects` names.
    pub fn from_row(row: &QueryResult, sort: Sort) -> AppResult<Position> {
        let priority = match sort.key {
            SortKey::Priority => {
                let text: String = row.try_get("", KEY_RANK)?;
                Some(Priority::parse(&text).ok_or_else(|| AppError::internal("a ticket's priority is unknown"))?)
            }
            _ => None,
        };
        Ok(Position { priority, time: row.try_get("", KEY_TIME)?, id: row.try_get("", "id")? })
    }
}

/// The reads of one page for one arm (a status, say) of a queue: the keys of up to `limit`
/// tickets after the cursor, in page order, each a range of one index. Ordering by a due
/// time that may be missing is two ranges, the tickets with one and then those without:
/// `NULLS LAST` in one range has no index on SQLite, and would be a sort of every ticket.
pub fn arm_selects(
    condition: Condition,
    sort: Sort,
    after: Option<&Position>,
    limit: u64,
) -> Vec<Select<ticket::Entity>> {
    let order = if sort.descending() { Order::Desc } else { Order::Asc };
    let keyed = || {
        let mut select = ticket::Entity::find().select_only();
        if sort.key == SortKey::Priority {
            select =
                select.column_as(ticket::Column::Priority, KEY_RANK).order_by(ticket::Column::Priority, order.clone());
        }
        // The undated range selects and orders by its (missing) due time too: both ranges'
        // rows have one shape, and the order is still the index's.
        select
            .column_as(sort.time_column(), KEY_TIME)
            .column(ticket::Column::Id)
            .filter(condition.clone())
            .order_by(sort.time_column(), order.clone())
            .order_by(ticket::Column::Id, order.clone())
            .limit(limit)
    };
    let past = |columns: SimpleExpr, values: SimpleExpr| {
        if sort.descending() {
            columns.lt(values)
        } else {
            columns.gt(values)
        }
    };
    let mut selects = Vec::new();
    // The tickets with a key, after the cursor's unless that is past them all.
    let after_undated = matches!(after, Some(Position { time: None, .. }));
    if !after_undated {
        let mut select = keyed();
        if sort.key == SortKey::Due {
            select = select.filter(sort.time_column().is_not_null());
        }
        if let Some(Position { priority, time: Some(time), id }) = after {
            // A row value: one index range on both databases, where `a < x OR (a = x AND
            // b < y)` is read from the start of the index on and filtered.
            let mut columns = Vec::new();
            let mut values = Vec::new();
            if let (SortKey::Priority, Some(p)) = (sort.key, priority) {
                columns.push(Expr::col(ticket::Column::Priority));
                values.push(Expr::val(p.as_str()));
            }
            columns.extend([sort.time_column(), Expr::col(ticket::Column::Id)]);
            values.extend([Expr::val(*time), Expr::val(*id)]);
            select = select.filter(past(Expr::tuple(columns), Expr::tuple(values)));
        }
        selects.push(select);
    }
    // The tickets without a due time, by id.
    if sort.key == SortKey::Due {
        let mut select = keyed().filter(sort.time_column().is_null());
        if let Some(Position { time: None, id, .. }) = after {
            select = select.filter(past(Expr::col(ticket::Column::Id), Expr::val(*id)));
        }
        selects.push(select);
    }
    selects
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc))
    }

    #[test]
    fn every_order_reads_its_own_cursor_back_and_refuses_another_s() {
        let sorts = ["updated", "-updated", "created", "-created", "due", "-due", "priority", "-priority"];
        for name in sorts {
            let sort = Sort::parse(name).unwrap();
            let priority = (sort.key == SortKey::Priority).then_some(Priority::P2);
            for time in [at("2026-12-07T10:00:00.123456Z"), None]
                .into_iter()
                .filter(|t| t.is_some() || sort.key == SortKey::Due)
            {
                let position = Position { priority, time, id: 42 };
                let cursor = position.cursor(sort);
                assert_eq!(Position::parse_cursor(&cursor, sort).unwrap(), Some(position), "{name}: {cursor}");
                for other in sorts.iter().filter(|o| **o != name) {
                    let refused = Position::parse_cursor(&cursor, Sort::parse(other).unwrap());
                    assert!(refused.is_err(), "{other} took {cursor}");
                }
            }
        }
        assert_eq!(
            Position { priority: None, time: at("2026-12-07T10:00:00Z"), id: 7 }.cursor(Sort::default()),
            "2026-12-07T10:00:00.000000Z_7",
            "the default's cursor as before"
        );
    }

    #[test]
    fn an_unknown_order_is_refused_by_name() {
        for text in ["size", "-", "--due", "Due", "due ", "due,created"] {
            assert!(matches!(Sort::parse(text), Err(AppError::Invalid { ref field, .. }) if field == "sort"), "{text}");
        }
        assert_eq!(Sort::parse("").unwrap(), Sort::default());
    }

    #[test]
    fn tickets_without_a_due_time_come_last_in_both_directions() {
        let dated = Position { priority: None, time: at("2026-12-07T10:00:00Z"), id: 9 };
        let undated = Position { priority: None, time: None, id: 1 };
        for name in ["due", "-due"] {
            let sort = Sort::parse(name).unwrap();
            assert_eq!(Position::page_order(sort, &dated, &undated), Ordering::Less, "{name}");
        }
    }
}
