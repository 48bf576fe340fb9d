//! The Markdown dialect of FAQ articles, shared by their rendering (`kb`) and the search
//! index (`search`), so neither has to reach into the other.
use pulldown_cmark::{Event, Options, Parser, TagEnd};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_syntax() {
        assert_eq!(plain_text("## Kopf\n\n**fett** und `code`").trim(), "Kopf\nfett und code");
    }
}
