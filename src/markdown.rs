//! The Markdown dialect of Staffel: FAQ articles (rendered by `kb`, indexed by `search`)
//! and what people write on the ladder (descriptions, comments, reports, answers), shown
//! by the templates' `markdown` filter. One sanitiser makes every piece of it safe HTML.
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The extensions articles may use.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// The text of an article without Markdown syntax, for the search index and snippets.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => text.push('\n'),
            _ => {}
        }
    }
    text
}

/// Whose HTML is cleaned: an article written by the desk, or text anyone on the ladder
/// wrote (a teacher, a school admin, a provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Article,
    /// No images (a remote image in a ticket would tell its sender who read it, and when)
    /// and no ids (they could collide with the page's own).
    People,
}

/// Ammonia prefixes every id it lets through; an article's table of contents links to it.
pub const ID_PREFIX: &str = "kb-";

/// The one sanitiser for every piece of user-written HTML: no script, no event handlers,
/// no javascript:/data: links, no styles.
pub fn sanitize(html: &str, source: Source) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input", "label"])
        .add_tag_attributes("input", ["checked"])
        // Task-list checkboxes only: every input becomes a disabled checkbox, whatever it
        // was written as (an `<input>` without a type would be a text field, a fake
        // password prompt inside an article).
        .set_tag_attribute_value("input", "type", "checkbox")
        .set_tag_attribute_value("input", "disabled", "")
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
    match source {
        Source::Article => {
            builder.id_prefix(Some(ID_PREFIX));
            for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
                builder.add_tag_attributes(h, ["id"]);
            }
        }
        Source::People => {
            builder.rm_tags(["img"]);
        }
    }
    builder.clean(html).to_string()
}

/// Task-list items with their checkbox inside a `<label>` that holds the item's text: a
/// checkbox needs an accessible name (WCAG 4.1.2), and the item's text is what it is. The
/// label closes before anything that is not the item's first line (a nested list, a second
/// paragraph), so it holds phrasing content only.
pub fn label_task_items<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut open = false;
    events.flat_map(move |event| {
        let mut out: Vec<Event<'a>> = Vec::with_capacity(2);
        match &event {
            Event::TaskListMarker(checked) => {
                let checked = if *checked { " checked=\"\"" } else { "" };
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<label><input disabled=\"\" type=\"checkbox\"{checked}> "
                ))));
                open = true;
                return out;
            }
            Event::End(TagEnd::Item | TagEnd::Paragraph)
            | Event::Start(
                Tag::List(_)
                | Tag::Paragraph
                | Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::Heading { .. }
                | Tag::Table(_)
                | Tag::HtmlBlock,
            ) if open => {
                out.push(Event::InlineHtml(CowStr::from("</label>")));
                open = false;
            }
            _ => {}
        }
        out.push(event);
        out
    })
}

/// What someone on the ladder wrote, as safe HTML. People write plain text more often than
/// Markdown: a line break stays a line break, and raw HTML is shown as the text it is.
pub fn people_html(text: &str) -> String {
    let events = Parser::new_ext(text, options() - Options::ENABLE_FOOTNOTES).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let events = label_task_items(events);
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events);
    sanitize(&raw, Source::People)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_text_keeps_its_lines_and_loses_what_is_unsafe() {
        let html = people_html("**Drucker** streikt\nseit heute\n\n- Raum 104\n- <script>alert(1)</script>\n\n![x](https://evil.example/p.png) [Hilfe](javascript:alert(1))");
        assert!(html.contains("<strong>Drucker</strong> streikt<br>"), "{html}");
        assert!(html.contains("<li>Raum 104</li>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "markup is shown as text: {html}");
        assert!(!html.contains("<img") && !html.contains("javascript:"), "{html}");
    }

    #[test]
    fn a_task_list_checkbox_is_labelled_by_its_item() {
        let html = people_html("- [x] Kabel geprüft\n- [ ] Beamer *neu* gestartet\n  - [ ] Lampe\n");
        // The sanitiser sets `type` and `disabled` in no fixed order: look at each box whole.
        let labelled = |text: &str| {
            let end = html.find(&format!("> {text}</label>")).unwrap_or_else(|| panic!("{text} unlabelled: {html}"));
            let start = html[..end].rfind("<label><input").unwrap_or_else(|| panic!("no box for {text}: {html}"));
            html[start..=end].to_string()
        };
        for (text, checked) in [("Kabel geprüft", true), ("Beamer <em>neu</em> gestartet", false), ("Lampe", false)] {
            let tag = labelled(text);
            assert!(tag.contains("type=\"checkbox\"") && tag.contains("disabled=\"\""), "{tag}");
            assert_eq!(tag.contains("checked"), checked, "{tag}");
        }
        assert_eq!(html.matches("<label>").count(), html.matches("</label>").count(), "{html}");
    }

    #[test]
    fn plain_text_drops_syntax() {
        assert_eq!(plain_text("## Kopf\n\n**fett** und `code`").trim(), "Kopf\nfett und code");
    }
}
