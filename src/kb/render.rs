//! Markdown to safe HTML: CommonMark with tables, task lists and strikethrough; every
//! heading gets an anchor and goes into the table of contents; the output is sanitised
//! with ammonia (no script, no event handlers, no javascript:/data: links, no styles).
use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::markdown::ID_PREFIX;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

fn options() -> Options {
    crate::markdown::options()
}

/// An anchor from heading text: lowercase ASCII, umlauts spelled out, hyphens between
/// words ("Schritt 2: Drucker prüfen" → "schritt-2-drucker-pruefen").
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-')
                }
            }
        }
    }
    let trimmed = out.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "abschnitt".into()
    } else {
        trimmed
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

pub fn render(markdown: &str) -> Rendered {
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let mut toc = Vec::new();
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, classes, attrs, .. }) = &events[i] {
            // Collect the heading's text to name its anchor.
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = anchor(&text);
            let count = used.entry(base.clone()).or_insert(0);
            let id = if *count == 0 { base.clone() } else { format!("{base}-{count}") };
            *count += 1;
            toc.push(TocEntry {
                level: level_number(*level),
                id: format!("{ID_PREFIX}{id}"),
                text: text.trim().to_string(),
            });
            out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(id)),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
            i += 1;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, crate::markdown::label_task_items(out.into_iter()));
    Rendered { html: sanitize(&raw), toc }
}

/// An article's HTML, cleaned as articles are.
pub fn sanitize(html: &str) -> String {
    crate::markdown::sanitize(html, crate::markdown::Source::Article)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_anchors_and_a_toc() {
        let r = render("# Titel\n\n## Schritt 1: Drucker prüfen\n\ntext\n\n## Schritt 1: Drucker prüfen\n");
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[1].id, "kb-schritt-1-drucker-pruefen");
        assert_eq!(r.toc[2].id, "kb-schritt-1-drucker-pruefen-1");
        assert!(r.html.contains("<h2 id=\"kb-schritt-1-drucker-pruefen\">"), "{}", r.html);
    }

    #[test]
    fn tables_and_task_lists_render() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] erledigt\n- [ ] offen\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("checked"));
    }

    #[test]
    fn every_input_is_a_disabled_checkbox() {
        for raw in ["<input name=pw>", "<input type=\"password\" name=pw>", "<input type=checkbox>"] {
            let html = sanitize(raw);
            assert!(html.contains("type=\"checkbox\""), "{html}");
            assert!(html.contains("disabled"), "{html}");
            assert!(!html.contains("name="), "{html}");
        }
    }
}
