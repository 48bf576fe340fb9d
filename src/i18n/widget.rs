//! The support widget's strings: (key, German, English), like `CATALOGUE`.
pub const WIDGET: &[(&str, &str, &str)] = &[
    // The button and the badge on the embedding page
    ("widget.button", "Support", "Support"),
    ("widget.badge_on", "Support: Chat verfügbar", "Support: chat available"),
    ("widget.badge_off", "Support: Chat gerade nicht besetzt", "Support: chat not staffed right now"),
    // The dialog
    ("widget.title", "Support", "Support"),
    ("widget.faq_title", "Erst selbst nachsehen", "Look it up first"),
    ("widget.faq_intro", "Die Anleitungen der Hilfe – Vorschläge erscheinen beim Tippen.", "The help's guides – suggestions appear as you type."),
    ("widget.no_results", "Dazu haben wir keine Anleitung gefunden.", "We found no guide for that."),
    ("widget.sign_in_hint", "Melden Sie sich an, um ein Problem zu melden oder ein Ticket zu schreiben.", "Sign in to report a problem or write a ticket."),
    ("widget.pupil_hint", "Keine passende Anleitung? Frag deine Lehrerin oder deinen Lehrer – sie leiten das Problem weiter.", "No matching guide? Ask your teacher – they will pass the problem on."),
    ("widget.report_title", "An die Schul-Admins meiner Schule melden", "Report to my school's admins"),
    ("widget.report_intro", "Ihre Meldung geht an die Schul-Admins Ihrer Schule; ihren Stand sehen Sie unter „Meine Meldungen“.", "Your report goes to your school's admins; you see its state under “My reports”."),
    ("widget.ticket_title", "Neues Ticket an den Service-Desk", "New ticket to the service desk"),
    ("widget.screenshot_hint", "Ein Bildschirmfoto der Seite, von der Sie kommen: wählen Sie beim Aufnehmen ihren Tab oder ihr Fenster.", "A screenshot of the page you came from: pick its tab or window when capturing."),
    ("widget.contact_title", "Service-Desk erreichen", "Reach the service desk"),
    ("widget.chat_title", "Chat mit dem Service-Desk", "Chat with the service desk"),
    ("widget.desk_hint", "Sie arbeiten im Service-Desk: Anfragen und Tickets finden Sie im Desk.", "You work on the service desk: requests and tickets are on the desk."),
    ("widget.context_title", "Diese Angaben der Seite gehen mit", "These details of the page go along"),
    ("widget.context_heading", "**Angaben der einbettenden Seite** (vom Support-Widget übergeben):", "**Details of the embedding page** (passed on by the support widget):"),
    ("widget.opened_from", "Geöffnet von", "Opened from"),
    // Refusals
    (
        "widget.origin_refused",
        "Diese Seite darf die Staffel-Hilfe nicht einbetten (ihr Ursprung ist nicht freigegeben).",
        "This page may not embed Staffel's help (its origin is not configured).",
    ),
    (
        "widget.assertion_malformed",
        "Die Anmeldung der einbettenden Seite ist unleserlich. Bitte melden Sie sich in Staffel an.",
        "The sign-in handed over by the embedding page is unreadable. Please sign in to Staffel.",
    ),
    (
        "widget.assertion_unknown_origin",
        "Die Anmeldung stammt von einer Seite, der Staffel keine Anmeldungen abnimmt.",
        "The sign-in comes from a site Staffel takes no sign-ins from.",
    ),
    (
        "widget.assertion_signature",
        "Die Anmeldung der einbettenden Seite ist nicht echt (falsche Signatur) und wurde abgelehnt.",
        "The sign-in handed over by the embedding page is not genuine (wrong signature) and was refused.",
    ),
    (
        "widget.assertion_expired",
        "Die Anmeldung der einbettenden Seite ist abgelaufen. Laden Sie die Seite neu und öffnen Sie den Support noch einmal.",
        "The sign-in handed over by the embedding page has expired. Reload the page and open support again.",
    ),
    (
        "widget.assertion_too_long_lived",
        "Die Anmeldung der einbettenden Seite gilt länger als erlaubt und wurde abgelehnt.",
        "The sign-in handed over by the embedding page is valid for longer than allowed and was refused.",
    ),
    (
        "widget.assertion_replayed",
        "Diese Anmeldung wurde schon benutzt. Laden Sie die Seite neu und öffnen Sie den Support noch einmal.",
        "This sign-in has been used already. Reload the page and open support again.",
    ),
    (
        "widget.assertion_user",
        "Zu dieser Anmeldung gibt es in Staffel kein aktives Konto.",
        "There is no active Staffel account for this sign-in.",
    ),
];
