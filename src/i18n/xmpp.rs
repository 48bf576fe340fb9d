//! The strings of agents on XMPP: the account page, and what Staffel writes to an agent's
//! XMPP client. (key, German, English), like `CATALOGUE`; `{…}` are filled in.
pub const XMPP: &[(&str, &str, &str)] = &[
    // The account page
    ("xmpp.title", "Chats über XMPP", "Chats over XMPP"),
    (
        "xmpp.intro",
        "Mit einer verbundenen XMPP-Adresse beantworten Sie Chat-Anfragen Ihrer Kanäle in Ihrem XMPP-Programm (auch am Handy), solange kein Staffel-Tab von Ihnen offen ist. Ihr XMPP-Status (verfügbar, abwesend, nicht stören) gilt dann als Ihr Chat-Status.",
        "With a linked XMPP address you answer your channels' chat requests in your XMPP client (on a phone too) while none of your Staffel tabs is open. Your XMPP status (available, away, do not disturb) then counts as your chat status.",
    ),
    ("xmpp.address", "XMPP-Adresse", "XMPP address"),
    ("xmpp.link", "Verbinden", "Link"),
    ("xmpp.unlink", "Trennen", "Unlink"),
    (
        "xmpp.pending",
        "Noch nicht bestätigt. Senden Sie von {jid} diese Nachricht an {staffel}:",
        "Not confirmed yet. From {jid}, send this message to {staffel}:",
    ),
    ("xmpp.confirmed", "Verbunden mit {arg}.", "Linked to {arg}."),
    ("xmpp.saved", "Adresse gespeichert: jetzt bestätigen.", "Address saved: now confirm it."),
    ("xmpp.removed", "XMPP-Adresse getrennt.", "XMPP address unlinked."),
    ("xmpp.jid_invalid", "Das ist keine XMPP-Adresse (name@beispiel.de).", "That is not an XMPP address (name@example.org)."),
    (
        "xmpp.jid_taken",
        "Diese XMPP-Adresse ist schon mit einem anderen Konto verbunden.",
        "This XMPP address is already linked to another account.",
    ),
    ("xmpp.unavailable", "XMPP ist auf diesem Server nicht eingerichtet.", "XMPP is not set up on this server."),
    // Answering elsewhere
    (
        "chat.answered_on_xmpp",
        "Diesen Chat beantworten Sie über XMPP. Schreiben Sie dort, oder holen Sie ihn mit !browser hierher.",
        "You answer this chat over XMPP. Write there, or bring it here with !browser.",
    ),
    ("chat.answered_on_web", "Diesen Chat beantworten Sie im Browser.", "You answer this chat in the browser."),
    // What Staffel writes to the XMPP client
    (
        "xmpp.help",
        "Staffel – Befehle:\n!liste – wartende Anfragen und Ihre Chats\n!annehmen N – Anfrage N annehmen\n!wechseln N – Ihre Nachrichten gehen an Chat N\n!ende – den Chat beenden\n!ticket – den Chat als Ticket beenden\n!browser – den Chat im Browser weiterführen\n!hilfe – diese Hilfe\nIn einem Chat geht alles ohne ! an die Schule.",
        "Staffel – commands:\n!list – waiting requests and your chats\n!accept N – take request N\n!switch N – your messages go to chat N\n!end – end the chat\n!ticket – end the chat as a ticket\n!browser – go on with the chat in the browser\n!help – this help\nIn a chat, everything without ! goes to the school.",
    ),
    (
        "xmpp.offer",
        "Neue Chat-Anfrage #{id} ({channel}) von {name}, {school}:\n„{text}“\nAnnehmen: !annehmen {id}",
        "New chat request #{id} ({channel}) from {name}, {school}:\n“{text}”\nTake it: !accept {id}",
    ),
    (
        "xmpp.accepted",
        "Sie sind im Chat #{id} mit {name} ({school}). Schreiben Sie einfach; !ende beendet ihn.",
        "You are in chat #{id} with {name} ({school}). Just write; !end ends it.",
    ),
    ("xmpp.taken", "Anfrage #{id} hat {name} angenommen.", "{name} took request #{id}."),
    ("xmpp.ended", "Chat #{id} ist beendet.", "Chat #{id} has ended."),
    ("xmpp.ticket", "Chat #{id} ist jetzt Ticket {ticket}.", "Chat #{id} is now ticket {ticket}."),
    ("xmpp.moved", "Chat #{id} geht im Browser weiter.", "Chat #{id} goes on in the browser."),
    ("xmpp.switched", "Ihre Nachrichten gehen jetzt an Chat #{id}.", "Your messages now go to chat #{id}."),
    ("xmpp.not_yours", "Chat #{id} ist keiner Ihrer XMPP-Chats.", "Chat #{id} is none of your XMPP chats."),
    (
        "xmpp.no_chat",
        "Sie sind gerade in keinem Chat. !liste zeigt die wartenden Anfragen, !hilfe die Befehle.",
        "You are in no chat right now. !list shows the waiting requests, !help the commands.",
    ),
    (
        "xmpp.browser_open",
        "Ein Staffel-Tab von Ihnen ist offen: bitte nehmen Sie die Anfrage dort an.",
        "One of your Staffel tabs is open: please take the request there.",
    ),
    ("xmpp.waiting", "Wartende Anfragen:", "Waiting requests:"),
    ("xmpp.none_waiting", "Keine wartenden Anfragen.", "No waiting requests."),
    ("xmpp.yours", "Ihre Chats:", "Your chats:"),
    ("xmpp.current", "(aktuell)", "(current)"),
    (
        "xmpp.linked",
        "Diese Adresse ist jetzt mit Ihrem Staffel-Konto verbunden. Chat-Anfragen kommen hierher, solange kein Staffel-Tab von Ihnen offen ist. !hilfe zeigt die Befehle.",
        "This address is now linked to your Staffel account. Chat requests come here while none of your Staffel tabs is open. !help shows the commands.",
    ),
    (
        "xmpp.code_wrong",
        "Der Code stimmt nicht. Verbinden Sie die Adresse auf Ihrer Kontoseite neu.",
        "That code is wrong. Link the address again on your account page.",
    ),
    (
        "xmpp.not_linked",
        "Diese Adresse ist mit keinem Staffel-Konto verbunden; Nachrichten an diese Adresse liest niemand. Agents verbinden ihre Adresse auf ihrer Staffel-Kontoseite.",
        "This address is not linked to a Staffel account; nobody reads messages sent here. Agents link their address on their Staffel account page.",
    ),
    ("xmpp.already_linked", "Diese Adresse ist schon verbunden.", "This address is already linked."),
    ("xmpp.line_joined", "– {name} ist dazugekommen.", "– {name} joined."),
    ("xmpp.line_left", "– {name} hat den Chat verlassen.", "– {name} left the chat."),
    ("xmpp.line_closed", "– {name} hat den Chat beendet.", "– {name} ended the chat."),
    ("xmpp.line_file", "{name} hat eine Datei gesendet: {file}\n{url}", "{name} sent a file: {file}\n{url}"),
];
