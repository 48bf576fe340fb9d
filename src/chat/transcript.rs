//! A chat's transcript: who wrote what when, as text (for mails and the ticket's timeline)
//! and as a PDF (to download, and as the ticket's attachment).
//!
//! The PDF uses Helvetica, one of the fonts every PDF reader has, with its Windows-1252
//! ("WinAnsi") encoding: German umlauts, ß, € and typographic quotes are in it; a character
//! outside it prints as "?". Nothing to embed, so a transcript is a few kilobytes.
use chrono::{DateTime, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use sea_orm::ConnectionTrait;

use super::view::{self, MessageView};
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use entities::{chat, MessageKind};

/// One transcript, ready to print.
pub struct Transcript {
    pub title: String,
    pub lines: Vec<MessageView>,
    pub tz: chrono_tz::Tz,
}

pub async fn load<C: ConnectionTrait>(db: &C, c: &chat::Model, tz: chrono_tz::Tz) -> AppResult<Transcript> {
    let shown = view::chat(db, c.clone()).await?;
    let mut lines = Vec::new();
    let mut after = 0;
    loop {
        let page = super::messages::read_after(db, c.id, after).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        lines.extend(page);
    }
    let who = match (&shown.school_name, &shown.channel) {
        (Some(school), Some(channel)) => format!("{} · {school} · {}", shown.requester.name, channel.name),
        _ => shown.requester.name.clone(),
    };
    Ok(Transcript { title: format!("Chat #{} – {who}", c.id), lines, tz })
}

impl Transcript {
    fn stamp(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz).format("%d.%m.%Y %H:%M").to_string()
    }

    /// One line per message: `[time] name: text`, and what Staffel recorded in words.
    pub fn text_lines(&self, lang: Lang) -> Vec<String> {
        self.lines
            .iter()
            .map(|m| {
                let said = match m.kind {
                    MessageKind::Message => format!("{}: {}", m.author, m.body),
                    MessageKind::File => format!("{}: {} {}", m.author, i18n::tr(lang, "chat.line.file"), m.body),
                    MessageKind::Joined => i18n::tr_arg(lang, "chat.line.joined", &m.author),
                    MessageKind::Left => i18n::tr_arg(lang, "chat.line.left", &m.author),
                    MessageKind::Closed => i18n::tr_arg(lang, "chat.line.closed", &m.author),
                };
                format!("[{}] {said}", self.stamp(m.at))
            })
            .collect()
    }

    pub fn text(&self, lang: Lang) -> String {
        let mut out = self.title.clone();
        out.push_str("\n\n");
        out.push_str(&self.text_lines(lang).join("\n"));
        out
    }

    /// The transcript as a PDF document.
    pub fn pdf(&self, lang: Lang) -> AppResult<Vec<u8>> {
        let mut rows: Vec<(bool, String)> = vec![(true, self.title.clone()), (false, String::new())];
        for line in self.text_lines(lang) {
            for (i, piece) in wrap(&line, WRAP).into_iter().enumerate() {
                rows.push((false, if i == 0 { piece } else { format!("    {piece}") }));
            }
        }
        write_pdf(&rows)
    }
}

/// Characters per printed line of 10-point Helvetica on A4 with 50-point margins.
const WRAP: usize = 95;
const LINES_PER_PAGE: usize = 62;

/// Breaks a line at spaces so that no piece is longer than `width` characters (a longer
/// word is cut); explicit line breaks are kept.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            while word.len() > width {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                out.push(word.drain(..width).collect());
            }
            let word: String = word.into_iter().collect();
            if current.chars().count() + word.chars().count() + 1 > width && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&word);
        }
        out.push(current);
    }
    out
}

/// A character in Windows-1252, the encoding of the PDF's font.
fn win_ansi(c: char) -> u8 {
    match c as u32 {
        0x20..=0x7E | 0xA0..=0xFF => c as u32 as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '\t' => b' ',
            _ => b'?',
        },
    }
}

fn encoded(text: &str) -> Object {
    Object::String(text.chars().map(win_ansi).collect(), StringFormat::Literal)
}

fn write_pdf(rows: &[(bool, String)]) -> AppResult<Vec<u8>> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let regular = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let bold = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } });
    let mut kids = Vec::new();
    for page in rows.chunks(LINES_PER_PAGE) {
        let mut operations = vec![Operation::new("BT", vec![]), Operation::new("TL", vec![12.into()])];
        operations.push(Operation::new("Td", vec![50.into(), 792.into()]));
        for (heading, text) in page {
            let font = if *heading { "F2" } else { "F1" };
            operations.push(Operation::new("Tf", vec![font.into(), 10.into()]));
            operations.push(Operation::new("Tj", vec![encoded(text)]));
            operations.push(Operation::new("T*", vec![]));
        }
        operations.push(Operation::new("ET", vec![]));
        let content = Content { operations }.encode().map_err(|e| AppError::caused("writing a transcript", e))?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| AppError::caused("writing a transcript", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("eins zwei drei", 9), ["eins zwei", "drei"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
    }

    #[test]
    fn the_pdf_keeps_umlauts() {
        let rows =
            vec![(true, "Chat #1 – Jürgen Groß".to_string()), (false, "[01.12.2026 10:00] Änne: Grüße € 😀".into())];
        let bytes = write_pdf(&rows).unwrap();
        assert!(bytes.starts_with(b"%PDF-1.5"));
        let text = Document::load_mem(&bytes).unwrap().extract_text(&[1]).unwrap();
        assert!(text.contains("Jürgen Groß"), "{text}");
        assert!(text.contains("Änne: Grüße €"), "{text}");
        assert!(text.contains('?'), "what the font lacks prints as ?: {text}");
    }
}
