//! The report as tables: what the page shows under each chart and what the CSV download
//! holds, in the reader's language. One table per figure; the chart draws from the same.
use serde::Serialize;

use super::Report;
use crate::i18n::{tr, Lang};

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// The table's name in `?table=` and the catalogue (`stats.table.<key>`).
    pub key: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Every table's name, in the page's order.
pub const KEYS: [&str; 9] =
    ["weekly", "sla", "groups", "group_weeks", "backlog", "providers", "chat", "searches", "ratings"];

pub fn number(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    if lang == Lang::De {
        text.replace('.', ",")
    } else {
        text
    }
}

fn optional(lang: Lang, value: Option<f64>) -> String {
    value.map(|v| number(lang, v)).unwrap_or_else(|| "–".into())
}

fn percent(value: Option<i64>) -> String {
    value.map(|v| format!("{v} %")).unwrap_or_else(|| "–".into())
}

fn head(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tr(lang, &format!("stats.col.{k}")).to_string()).collect()
}

fn table(key: &'static str, lang: Lang, columns: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table { key, title: tr(lang, &format!("stats.table.{key}")).to_string(), columns: head(lang, columns), rows }
}

/// The tables of `report`; the FAQ's only when the report has them.
pub fn all(report: &Report, lang: Lang) -> Vec<Table> {
    KEYS.iter().filter_map(|key| one(report, key, lang)).collect()
}

/// One table by its name; none for a name that is no table of this report.
pub fn one(report: &Report, key: &str, lang: Lang) -> Option<Table> {
    let group = tr(lang, &format!("stats.by.{}", report.breakdown.as_str())).to_string();
    Some(match key {
        "weekly" => table(
            "weekly",
            lang,
            &["week", "opened", "solved"],
            report.weeks.iter().map(|w| vec![w.week.clone(), w.opened.to_string(), w.solved.to_string()]).collect(),
        ),
        "sla" => table(
            "sla",
            lang,
            &[
                "week",
                "first_met",
                "first_missed",
                "first_share",
                "resolution_met",
                "resolution_missed",
                "resolution_share",
            ],
            report
                .weeks
                .iter()
                .map(|w| {
                    vec![
                        w.week.clone(),
                        w.first_met.to_string(),
                        w.first_missed.to_string(),
                        percent(w.first_share()),
                        w.resolution_met.to_string(),
                        w.resolution_missed.to_string(),
                        percent(w.resolution_share()),
                    ]
                })
                .collect(),
        ),
        "groups" => {
            let mut t = table(
                "groups",
                lang,
                &["group", "opened", "solved"],
                report
                    .groups
                    .iter()
                    .map(|g| vec![g.label.clone(), g.opened.to_string(), g.solved.to_string()])
                    .collect(),
            );
            t.columns[0] = group;
            t
        }
        "group_weeks" => {
            let mut columns = vec![tr(lang, "stats.col.week").to_string()];
            columns.extend(report.group_weeks.iter().map(|g| g.label.clone()));
            columns.push(tr(lang, "stats.col.others").to_string());
            let rows = report
                .weeks
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let shown: i64 = report.group_weeks.iter().map(|g| g.opened[i]).sum();
                    let mut row = vec![w.week.clone()];
                    row.extend(report.group_weeks.iter().map(|g| g.opened[i].to_string()));
                    row.push((w.opened - shown).max(0).to_string());
                    row
                })
                .collect();
            Table { key: "group_weeks", title: tr(lang, "stats.table.group_weeks").to_string(), columns, rows }
        }
        "backlog" => table(
            "backlog",
            lang,
            &["age", "tickets"],
            report
                .backlog
                .iter()
                .map(|b| vec![tr(lang, &format!("stats.age.{}", b.key)).to_string(), b.count.to_string()])
                .collect(),
        ),
        "providers" => table(
            "providers",
            lang,
            &["provider", "agreed_hours", "forwards", "acknowledged", "on_time", "late", "average_hours"],
            report
                .providers
                .iter()
                .map(|p| {
                    vec![
                        p.name.clone(),
                        p.agreed_hours.to_string(),
                        p.forwards.to_string(),
                        p.acknowledged.to_string(),
                        p.on_time.to_string(),
                        p.late.to_string(),
                        optional(lang, p.average_hours),
                    ]
                })
                .collect(),
        ),
        "chat" => table(
            "chat",
            lang,
            &["week", "requests", "accepted", "average_wait", "longest_wait"],
            report
                .chat
                .iter()
                .map(|c| {
                    vec![
                        c.week.clone(),
                        c.requests.to_string(),
                        c.accepted.to_string(),
                        optional(lang, c.average_wait_minutes),
                        optional(lang, c.longest_wait_minutes),
                    ]
                })
                .collect(),
        ),
        "searches" => table(
            "searches",
            lang,
            &["query", "searches", "last_searched"],
            report
                .searches
                .as_ref()?
                .iter()
                .map(|s| vec![s.query.clone(), s.count.to_string(), s.last_at.format("%Y-%m-%d").to_string()])
                .collect(),
        ),
        "ratings" => table(
            "ratings",
            lang,
            &["article", "helpful", "unhelpful"],
            report
                .ratings
                .as_ref()?
                .iter()
                .map(|r| vec![r.title.clone(), r.helpful.to_string(), r.unhelpful.to_string()])
                .collect(),
        ),
        _ => return None,
    })
}
