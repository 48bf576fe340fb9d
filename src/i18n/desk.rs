//! The desk queue's strings: its live updates, columns and bulk actions. (key, German,
//! English), like `CATALOGUE`.
pub const DESK: &[(&str, &str, &str)] = &[
    // Live updates of the queue
    ("tickets.live_new_one", "1 neues Ticket", "1 new ticket"),
    ("tickets.live_new_many", "{n} neue Tickets", "{n} new tickets"),
    ("tickets.live_updated", "Die Liste wurde aktualisiert.", "The list was updated."),
    // Columns
    ("desk.col_select", "Auswählen", "Select"),
    ("desk.col_service", "Service", "Service"),
    ("desk.col_due", "Fällig", "Due"),
    ("desk.col_age", "Alter", "Age"),
    ("desk.select_ticket", "{arg} auswählen", "Select {arg}"),
    ("desk.select_all", "Alle auf dieser Seite auswählen", "Select all on this page"),
    ("desk.age_minutes", "{arg} Min.", "{arg} min"),
    ("desk.age_hours", "{arg} Std.", "{arg} h"),
    ("desk.age_days", "{arg} Tg.", "{arg} d"),
    ("desk.no_service", "–", "–"),
    // Sorting by a column (`sort`)
    (
        "tickets.sort_invalid",
        "Unbekannte Sortierung. Möglich sind updated, created, due und priority, umgekehrt mit vorangestelltem „-“.",
        "Unknown sort order. Possible are updated, created, due and priority, reversed with a leading “-”.",
    ),
    (
        "tickets.cursor_other_sort",
        "Diese Seitenmarke gehört zu einer anderen Sortierung als {arg}. Bitte beginnen Sie wieder auf der ersten Seite.",
        "This page cursor belongs to another sort order than {arg}. Please start again from the first page.",
    ),
    // Bulk actions
    ("desk.bulk_legend", "Ausgewählte Tickets", "Selected tickets"),
    ("desk.bulk_action", "Aktion", "Action"),
    ("desk.bulk_assign_me", "Mir zuweisen", "Assign to me"),
    ("desk.bulk_priority", "Priorität setzen auf …", "Set priority to …"),
    ("desk.bulk_close", "Schließen", "Close"),
    ("desk.bulk_apply", "Auf Auswahl anwenden", "Apply to selection"),
    ("desk.bulk_result", "{arg}", "{arg}"),
    ("desk.bulk_changed", "{changed} von {total} Tickets geändert.", "{changed} of {total} tickets changed."),
    ("desk.bulk_more", " … und {arg} weitere.", " … and {arg} more."),
    (
        "desk.bulk_action_invalid",
        "Bitte wählen Sie eine Aktion: zuweisen, Priorität setzen oder schließen.",
        "Please choose an action: assign, set the priority or close.",
    ),
    ("desk.bulk_none", "Bitte wählen Sie mindestens ein Ticket aus.", "Please select at least one ticket."),
    ("desk.bulk_too_many", "Höchstens 200 Tickets auf einmal.", "At most 200 tickets at once."),
    ("desk.bulk_unknown_ticket", "„{arg}“ ist keine Ticketnummer.", "“{arg}” is no ticket number."),
];
