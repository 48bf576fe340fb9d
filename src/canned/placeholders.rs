//! Placeholders in a canned text, filled when the text is served for a ticket:
//! `{schule}`, `{ticket}`, `{titel}` and `{agent}`, with the English `{school}` and
//! `{title}` for the same. Anything else in braces, and a placeholder with nothing to fill
//! it with (no ticket given), stays as typed.
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::auth::Actor;
use crate::error::AppResult;

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    School,
    Ticket,
    Title,
    Agent,
}

/// Every name a lead may type, with what it stands for and the catalogue key (under
/// `canned.`) that says so; the edit page lists them, German first, then its English alias.
const NAMES: [(&str, Slot, &str); 6] = [
    ("schule", Slot::School, "placeholder_school"),
    ("school", Slot::School, "placeholder_school"),
    ("ticket", Slot::Ticket, "placeholder_ticket"),
    ("titel", Slot::Title, "placeholder_title"),
    ("title", Slot::Title, "placeholder_title"),
    ("agent", Slot::Agent, "placeholder_agent"),
];

/// One line of the edit page's list: the names (`{schule}`, `{school}`) and the catalogue
/// key (under `canned.`) of what they stand for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlaceholderHelp {
    pub names: Vec<String>,
    pub meaning: &'static str,
}

/// The placeholders for the edit page, one line per meaning.
pub fn help() -> Vec<PlaceholderHelp> {
    let mut lines: Vec<PlaceholderHelp> = Vec::new();
    for (name, _, meaning) in NAMES {
        match lines.iter_mut().find(|l| l.meaning == meaning) {
            Some(line) => line.names.push(format!("{{{name}}}")),
            None => lines.push(PlaceholderHelp { names: vec![format!("{{{name}}}")], meaning }),
        }
    }
    lines
}

/// The values the placeholders are filled with; `None` leaves one as typed.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub school: Option<String>,
    pub ticket: Option<String>,
    pub title: Option<String>,
    pub agent: Option<String>,
}

impl Values {
    fn of(&self, slot: Slot) -> Option<&str> {
        match slot {
            Slot::School => self.school.as_deref(),
            Slot::Ticket => self.ticket.as_deref(),
            Slot::Title => self.title.as_deref(),
            Slot::Agent => self.agent.as_deref(),
        }
    }

    /// The agent's own name, and with a ticket (one this agent may see, else "not found")
    /// its number, title and school.
    pub async fn for_agent<C: ConnectionTrait>(db: &C, agent: &Actor, ticket: Option<i32>) -> AppResult<Values> {
        let mut values = Values { agent: Some(agent.name.clone()), ..Values::default() };
        if let Some(id) = ticket {
            let found = crate::tickets::find(db, agent, id).await?;
            let school = entities::school::Entity::find_by_id(found.school_id).one(db).await?;
            values.school = school.map(|s| s.name);
            values.ticket = Some(crate::tickets::number(found.id));
            values.title = Some(found.title);
        }
        Ok(values)
    }
}

/// The text with every known placeholder replaced, in one pass: a value that itself holds
/// braces (a ticket titled "{agent}") is inserted as it is, never filled again.
pub fn fill(text: &str, values: &Values) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            let slot = NAMES.iter().find(|(n, _, _)| *n == name).map(|(_, slot, _)| *slot)?;
            values.of(slot).map(|value| (value, close))
        });
        match filled {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            school: Some("Gymnasium A".into()),
            ticket: Some("T-000007".into()),
            title: Some("Beamer {agent}".into()),
            agent: Some("Anna Agent".into()),
        }
    }

    #[test]
    fn known_names_are_filled_in_german_and_english() {
        let text = "{schule}/{school}: {ticket} – {titel}/{title}, {agent}";
        let want = "Gymnasium A/Gymnasium A: T-000007 – Beamer {agent}/Beamer {agent}, Anna Agent";
        assert_eq!(fill(text, &values()), want);
    }

    #[test]
    fn unknown_and_unfilled_names_stay_as_typed() {
        let text = "{Schule} {name} {} {{agent}} {agent";
        assert_eq!(fill(text, &values()), "{Schule} {name} {} {Anna Agent} {agent");
        let only_agent = Values { agent: Some("Anna".into()), ..Values::default() };
        assert_eq!(fill("{agent}, {ticket} an {schule}", &only_agent), "Anna, {ticket} an {schule}");
    }

    #[test]
    fn the_help_lists_each_meaning_once_with_its_names() {
        let help = help();
        assert_eq!(help.len(), 4);
        assert_eq!(help[0].names, ["{schule}", "{school}"]);
    }
}
