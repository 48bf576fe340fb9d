//! Bar charts as data for an SVG template: the geometry is computed here, the template only
//! draws it. Each series has its own fill pattern (solid, hatched, dotted, …) as well as its
//! colour, so the charts read without colour too; colours come from CSS custom properties
//! and `currentColor`, so a dark scheme changes them with the page.
use serde::Serialize;

use super::tables::Table;
use super::Report;
use crate::i18n::{tr, tr_arg, Lang};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;
/// More category labels than this would overlap; every n-th is shown.
const MAX_LABELS: usize = 13;

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Unique on the page: the ids of its title, description and patterns start with it.
    pub id: String,
    /// The table that holds its values.
    pub table: &'static str,
    pub title: String,
    pub desc: String,
    pub width: f64,
    pub height: f64,
    pub series: Vec<String>,
    pub bars: Vec<Bar>,
    pub labels: Vec<Label>,
    pub ticks: Vec<Label>,
    pub baseline: f64,
    pub empty: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub series: usize,
    /// What a pointer over the bar shows: category, series and value.
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

/// A nice round top for the value axis.
fn axis_top(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Grouped bars: one group per category, one bar per series.
pub fn bars(
    id: &str,
    table: &'static str,
    title: String,
    desc: String,
    categories: &[String],
    series: Vec<(String, Vec<f64>)>,
) -> Chart {
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0, f64::max);
    let top = axis_top(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let baseline = TOP + plot_h;
    let slot = plot_w / categories.len().max(1) as f64;
    let bar_w = (slot * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut bars = Vec::new();
    for (s, (name, values)) in series.iter().enumerate() {
        for (c, value) in values.iter().enumerate() {
            let h = (value / top * plot_h).max(0.0);
            bars.push(Bar {
                x: round(LEFT + slot * c as f64 + slot * 0.1 + bar_w * s as f64),
                y: round(baseline - h),
                w: round(bar_w),
                h: round(h),
                series: s,
                title: format!("{} – {name}: {}", categories.get(c).map(String::as_str).unwrap_or(""), trim(*value)),
            });
        }
    }
    let every = categories.len().div_ceil(MAX_LABELS).max(1);
    let labels = categories
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, text)| Label { x: round(LEFT + slot * (i as f64 + 0.5)), y: baseline + 16.0, text: text.clone() })
        .collect();
    let ticks = (0..=4)
        .map(|i| {
            let value = top * i as f64 / 4.0;
            Label { x: LEFT - 6.0, y: round(baseline - plot_h * i as f64 / 4.0), text: trim(value) }
        })
        .collect();
    Chart {
        id: id.to_string(),
        table,
        title,
        desc,
        width: WIDTH,
        height: HEIGHT,
        series: series.into_iter().map(|(name, _)| name).collect(),
        bars,
        labels,
        ticks,
        baseline,
        empty: max <= 0.0,
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn trim(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A week's label on the axis: its Monday as day and month.
fn week_label(monday: &str) -> String {
    match monday.split('-').collect::<Vec<_>>()[..] {
        [_, m, d] => format!("{d}.{m}."),
        _ => monday.to_string(),
    }
}

/// The page's charts, each naming the table it draws.
pub fn all(report: &Report, tables: &[Table], lang: Lang) -> Vec<Chart> {
    let range = format!("{} – {}", report.from, report.to);
    let weeks: Vec<String> = report.weeks.iter().map(|w| week_label(&w.week)).collect();
    let t = |key: &str| tr(lang, key).to_string();
    let title = |table: &str| tables.iter().find(|t| t.key == table).map(|t| t.title.clone()).unwrap_or_default();
    let desc = |key: &str| tr_arg(lang, key, &range);
    let mut charts = vec![
        bars(
            "chart-weekly",
            "weekly",
            title("weekly"),
            desc("stats.desc.weekly"),
            &weeks,
            vec![
                (t("stats.col.opened"), report.weeks.iter().map(|w| w.opened as f64).collect()),
                (t("stats.col.solved"), report.weeks.iter().map(|w| w.solved as f64).collect()),
            ],
        ),
        bars(
            "chart-sla",
            "sla",
            title("sla"),
            desc("stats.desc.sla"),
            &weeks,
            vec![
                (
                    t("stats.col.first_share"),
                    report.weeks.iter().map(|w| w.first_share().unwrap_or(0) as f64).collect(),
                ),
                (
                    t("stats.col.resolution_share"),
                    report.weeks.iter().map(|w| w.resolution_share().unwrap_or(0) as f64).collect(),
                ),
            ],
        ),
    ];
    let top: Vec<_> = report.groups.iter().take(10).collect();
    charts.push(bars(
        "chart-groups",
        "groups",
        title("groups"),
        desc("stats.desc.groups"),
        &top.iter().map(|g| g.label.clone()).collect::<Vec<_>>(),
        vec![
            (t("stats.col.opened"), top.iter().map(|g| g.opened as f64).collect()),
            (t("stats.col.solved"), top.iter().map(|g| g.solved as f64).collect()),
        ],
    ));
    charts.push(bars(
        "chart-group-weeks",
        "group_weeks",
        title("group_weeks"),
        desc("stats.desc.group_weeks"),
        &weeks,
        report.group_weeks.iter().map(|g| (g.label.clone(), g.opened.iter().map(|v| *v as f64).collect())).collect(),
    ));
    charts.push(bars(
        "chart-backlog",
        "backlog",
        title("backlog"),
        t("stats.desc.backlog"),
        &report.backlog.iter().map(|b| t(&format!("stats.age.{}", b.key))).collect::<Vec<_>>(),
        vec![(t("stats.col.tickets"), report.backlog.iter().map(|b| b.count as f64).collect())],
    ));
    charts.push(bars(
        "chart-providers",
        "providers",
        title("providers"),
        desc("stats.desc.providers"),
        &report.providers.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        vec![
            (t("stats.col.agreed_hours"), report.providers.iter().map(|p| p.agreed_hours as f64).collect()),
            (t("stats.col.average_hours"), report.providers.iter().map(|p| p.average_hours.unwrap_or(0.0)).collect()),
        ],
    ));
    charts.push(bars(
        "chart-chat",
        "chat",
        title("chat"),
        desc("stats.desc.chat"),
        &weeks,
        vec![
            (t("stats.col.requests"), report.chat.iter().map(|c| c.requests as f64).collect()),
            (t("stats.col.accepted"), report.chat.iter().map(|c| c.accepted as f64).collect()),
        ],
    ));
    charts
}
