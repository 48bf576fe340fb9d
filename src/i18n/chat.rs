//! The live chat's strings: (key, German, English), like `CATALOGUE`.
pub const CHAT: &[(&str, &str, &str)] = &[
    // Refusals
    (
        "chat.unavailable",
        "Gerade ist niemand im Chat. Schreiben Sie uns ein Ticket, oder rufen Sie den Service-Desk an.",
        "Nobody is in the chat right now. Write us a ticket, or call the service desk.",
    ),
    ("chat.already_taken", "Diese Anfrage hat schon {arg} angenommen.", "{arg} has already taken this request."),
    ("chat.already_on_ticket", "Dieser Chat gehört schon zu einem Ticket.", "This chat already belongs to a ticket."),
    (
        "chat.client_id_invalid",
        "Die Nachrichtenkennung ist ungültig (höchstens 64 sichtbare Zeichen).",
        "The message id is invalid (at most 64 visible characters).",
    ),
    ("chat.closed", "Dieser Chat ist beendet.", "This chat has ended."),
    (
        "chat.context_invalid",
        "Der Seitenkontext muss ein Objekt mit kurzen Namen und Textwerten sein.",
        "The page context must be an object of short names and text values.",
    ),
    (
        "chat.files_requests_only",
        "Dateien lassen sich nur in Chats mit einer Schule senden.",
        "Files can only be sent in chats with a school.",
    ),
    ("chat.frame_unknown", "Diese Art Nachricht kennt der Chat nicht.", "The chat does not know this kind of message."),
    (
        "chat.limit",
        "Sie führen schon {arg} Chats gleichzeitig; beenden Sie erst einen.",
        "You are already in {arg} chats at once; end one first.",
    ),
    (
        "chat.no_ticket_for_direct",
        "Ein Chat unter Kolleginnen und Kollegen wird kein Ticket.",
        "A chat among colleagues does not become a ticket.",
    ),
    ("chat.not_active", "Dieser Chat läuft gerade nicht.", "This chat is not running."),
    ("chat.not_yourself", "Wählen Sie eine andere Person als sich selbst.", "Choose someone other than yourself."),
    (
        "chat.requester_gone",
        "Das Konto der anfragenden Person gibt es nicht mehr.",
        "The account of the person who asked no longer exists.",
    ),
    ("chat.session_invalid", "Die Sitzungskennung ist ungültig.", "The session id is invalid."),
    (
        "chat.state_invalid",
        "Unbekannter Status: online, away, xa, dnd oder offline.",
        "Unknown state: online, away, xa, dnd or offline.",
    ),
    (
        "chat.status_invalid",
        "Unbekannter Status: waiting, active oder closed.",
        "Unknown status: waiting, active or closed.",
    ),
    ("chat.unknown_channel", "Den Chat-Kanal „{arg}“ gibt es nicht.", "There is no chat channel “{arg}”."),
    (
        "chat.unknown_ticket",
        "Kein offenes Ticket dieser Schule mit dieser Nummer.",
        "No open ticket of this school with this number.",
    ),
    // Transcript lines
    ("chat.line.file", "hat eine Datei geschickt:", "sent a file:"),
    ("chat.line.joined", "{arg} ist dem Chat beigetreten.", "{arg} joined the chat."),
    ("chat.line.left", "{arg} hat den Chat verlassen.", "{arg} left the chat."),
    ("chat.line.closed", "{arg} hat den Chat beendet.", "{arg} ended the chat."),
    ("tickets.event.chat_transcript", "hat den Chat-Verlauf angehängt", "attached the chat transcript"),
    // Mail
    ("mail.chat_subject", "Verlauf Ihres Chats", "Your chat transcript"),
    (
        "mail.chat_intro",
        "hier ist der Verlauf des Chats, den Sie angefordert haben:",
        "here is the transcript of the chat you asked for:",
    ),
];
