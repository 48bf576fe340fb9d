//! The desk's one reply box: a text and what it is meant as (a reply to the school, an
//! internal note, a question, an answer to a provider, the solution), and the recall of a
//! forward from the same page. Each mode is carried out by the ladder action that already
//! exists for it, so the box does nothing those actions do not.
use super::{forwarding, tickets as desk};
use crate::app::App;
use crate::attachments::store::Staged;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::tickets::{TicketNumber, TEXT_MAX};

/// What the text in the box is meant as; `Recall` comes from a forward's own button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Reply,
    Note,
    Ask,
    Provider,
    Resolve,
    Recall,
}

impl Mode {
    pub const BOX: [Mode; 5] = [Mode::Reply, Mode::Note, Mode::Ask, Mode::Provider, Mode::Resolve];

    pub fn parse(text: &str) -> AppResult<Mode> {
        Ok(match text.trim() {
            "reply" => Mode::Reply,
            "note" => Mode::Note,
            "ask" => Mode::Ask,
            "provider" => Mode::Provider,
            "resolve" => Mode::Resolve,
            "recall" => Mode::Recall,
            _ => return Err(AppError::invalid("mode", "desk_box.mode_invalid")),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Reply => "reply",
            Mode::Note => "note",
            Mode::Ask => "ask",
            Mode::Provider => "provider",
            Mode::Resolve => "resolve",
            Mode::Recall => "recall",
        }
    }
}

/// One post of the box as typed. `close`: "reply and resolve", the text as the solution.
pub struct BoxInput {
    pub mode: Mode,
    pub body: String,
    pub forward: Option<i32>,
    pub version: Option<i32>,
    pub close: bool,
}

impl BoxInput {
    /// What the post does to the ticket: reply-and-close resolves.
    pub fn action(&self) -> Mode {
        if self.close {
            Mode::Resolve
        } else {
            self.mode
        }
    }

    /// Whether the post ends something (resolves the ticket, takes a forward back), so the
    /// page asks first.
    pub fn needs_confirmation(&self) -> bool {
        matches!(self.action(), Mode::Resolve | Mode::Recall)
    }

    /// The checks that need no database, so a post that would be refused anyway is refused
    /// before the page asks for confirmation. A solution and a recall carry no files (the
    /// kernel's resolve takes none), and the confirmation could not carry them either.
    pub fn check(&self, files: &Staged) -> AppResult<()> {
        if self.close && self.mode != Mode::Reply {
            return Err(AppError::invalid("mode", "desk_box.close_needs_reply"));
        }
        if self.needs_confirmation() && !files.is_empty() {
            return Err(AppError::invalid("files", "desk_box.no_files_here"));
        }
        match self.action() {
            Mode::Resolve => crate::validate::multiline("body", &self.body, TEXT_MAX).map(|_| ()),
            Mode::Provider | Mode::Recall if self.forward.is_none() => {
                Err(AppError::invalid("forward", "desk_box.forward_required"))
            }
            _ => Ok(()),
        }
    }
}

/// Carries out one post of the box with its files (already checked and staged); the
/// catalogue key of what was done. A reply or a note names no version: adding words to a
/// ticket that changed meanwhile overwrites nothing, so it is not refused as stale.
pub async fn send(
    app: &App,
    actor: &Actor,
    number: TicketNumber,
    input: &BoxInput,
    files: Staged,
) -> AppResult<&'static str> {
    input.check(&files)?;
    let action = input.action();
    let text = |internal: bool, version: Option<i32>| desk::Reply { body: input.body.clone(), internal, version };
    let forward = input.forward.unwrap_or_default();
    Ok(match action {
        Mode::Reply => {
            desk::comment(app, actor, number, &text(false, None), files).await?;
            "tickets.commented"
        }
        Mode::Note => {
            desk::comment(app, actor, number, &text(true, None), files).await?;
            "desk_box.noted"
        }
        Mode::Ask => {
            desk::ask_school(app, actor, number, &text(false, input.version), files).await?;
            "tickets.asked"
        }
        Mode::Provider => {
            forwarding::answer_provider(app, actor, number, forward, &input.body, files).await?;
            "forwards.replied"
        }
        Mode::Resolve => {
            desk::resolve(app, actor, number, &input.body, input.version).await.map_err(solution_in_box)?;
            "tickets.resolved"
        }
        Mode::Recall => {
            forwarding::recall(app, actor, number, forward, input.version).await?;
            "forwards.recalled"
        }
    })
}

/// The kernel names a refused solution `solution`; in the box it is the one text field.
fn solution_in_box(e: AppError) -> AppError {
    match e {
        AppError::Invalid { field, message, arg, also } if field == "solution" => {
            AppError::Invalid { field: "body".into(), message, arg, also }
        }
        other => other,
    }
}
