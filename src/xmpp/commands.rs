//! What an agent's XMPP message means: a command (`!annehmen 12`, `!end`, …, in German or
//! English) or a line for the chat they are in. In a chat only a message that starts with
//! `!` or `/` and names a command is one, so that "ende" can still be said to a school;
//! outside a chat the `!` may be left out.

/// One thing an agent asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    /// Waiting requests and their own XMPP chats.
    List,
    Accept(i32),
    /// Their lines go to this chat from now on.
    Switch(i32),
    /// End the current chat (or the one named).
    End(Option<i32>),
    /// End the current chat as a ticket.
    Ticket(Option<i32>),
    /// Go on with the current chat in the browser.
    Browser(Option<i32>),
    /// Confirm a linked address with the code from the account page.
    Link(String),
    /// A command word with a missing or wrong argument, or no command at all.
    Unknown,
    /// A line for the chat.
    Say(String),
}

/// The command a message means; `in_chat`: the agent is in a chat, so plain text is a line.
pub fn parse(body: &str, in_chat: bool) -> Command {
    let text = body.trim();
    let (prefixed, rest) = match text.strip_prefix('!').or_else(|| text.strip_prefix('/')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let mut words = rest.split_whitespace();
    let word = words.next().unwrap_or("").to_lowercase();
    let argument = words.next();
    let extra = words.next().is_some();
    let number = argument.and_then(|a| a.trim_start_matches('#').parse::<i32>().ok()).filter(|n| *n > 0);
    let optional = |make: fn(Option<i32>) -> Command| match (argument, number) {
        (None, _) => make(None),
        (Some(_), Some(n)) => make(Some(n)),
        (Some(_), None) => Command::Unknown,
    };
    let command = match word.as_str() {
        _ if extra && !prefixed => None,
        "help" | "hilfe" | "?" => Some(Command::Help),
        "list" | "liste" => Some(Command::List),
        "accept" | "annehmen" => Some(number.map_or(Command::Unknown, Command::Accept)),
        "switch" | "wechseln" => Some(number.map_or(Command::Unknown, Command::Switch)),
        "end" | "ende" | "beenden" => Some(optional(Command::End)),
        "ticket" => Some(optional(Command::Ticket)),
        "browser" | "web" => Some(optional(Command::Browser)),
        "link" | "verbinden" => Some(argument.map_or(Command::Unknown, |code| Command::Link(code.to_string()))),
        _ => None,
    };
    match command {
        Some(command) if prefixed || !in_chat => command,
        _ if in_chat => Command::Say(text.to_string()),
        _ => Command::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_work_in_german_and_english_with_or_without_the_mark_outside_a_chat() {
        assert_eq!(parse("!annehmen 12", false), Command::Accept(12));
        assert_eq!(parse("accept #12", false), Command::Accept(12));
        assert_eq!(parse("/Hilfe", false), Command::Help);
        assert_eq!(parse("  liste ", false), Command::List);
        assert_eq!(parse("!verbinden 123456", false), Command::Link("123456".into()));
        assert_eq!(parse("ende", false), Command::End(None));
        assert_eq!(parse("!end 7", false), Command::End(Some(7)));
        assert_eq!(parse("!browser", false), Command::Browser(None));
    }

    #[test]
    fn in_a_chat_only_marked_commands_are_commands() {
        assert_eq!(parse("ende", true), Command::Say("ende".into()));
        assert_eq!(parse("Hilfe ist unterwegs", true), Command::Say("Hilfe ist unterwegs".into()));
        assert_eq!(parse("!ende", true), Command::End(None));
        assert_eq!(parse("!ticket", true), Command::Ticket(None));
        assert_eq!(parse("!!! das geht nicht", true), Command::Say("!!! das geht nicht".into()));
        assert_eq!(parse("/me winkt", true), Command::Say("/me winkt".into()));
    }

    #[test]
    fn a_command_without_its_argument_is_unknown_and_so_is_anything_else_outside_a_chat() {
        assert_eq!(parse("!annehmen", false), Command::Unknown);
        assert_eq!(parse("!annehmen zwölf", false), Command::Unknown);
        assert_eq!(parse("!annehmen -3", false), Command::Unknown);
        assert_eq!(parse("!ende morgen", true), Command::Unknown);
        assert_eq!(parse("Hallo?", false), Command::Unknown);
        assert_eq!(parse("", false), Command::Unknown);
        assert_eq!(parse("accept 12 please", false), Command::Unknown);
    }
}
