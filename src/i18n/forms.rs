//! The names of form fields as an error summary names them, the summary's heading, and the
//! label of a table's scroll box:
//! (key, German, English), like `CATALOGUE`. `field.<name>` is the field's form name.
pub const FORMS: &[(&str, &str, &str)] = &[
    (
        "form.table_scroll",
        "Tabelle (auf schmalen Bildschirmen seitlich verschiebbar)",
        "Table (scrolls sideways on narrow screens)",
    ),
    ("form.summary", "Bitte prüfen Sie diese Angaben:", "Please check these fields:"),
    ("field.affected", "Was ist betroffen?", "What is affected?"),
    ("field.since", "Seit wann?", "Since when?"),
    ("field.how_many", "Wie viele sind betroffen?", "How many are affected?"),
    ("field.description", "Beschreibung", "Description"),
    ("field.title", "Titel", "Title"),
    ("field.service", "Dienst", "Service"),
    ("field.priority", "Priorität", "Priority"),
    ("field.triage_scope", "Wie weit reicht das Problem?", "How far does the problem reach?"),
    ("field.triage_fault_type", "Hardware oder Software?", "Hardware or software?"),
    ("field.files", "Dateien", "Files"),
    ("field.body", "Text", "Text"),
    ("field.solution", "Lösung", "Solution"),
    ("field.answer", "Antwort", "Answer"),
    ("field.reason", "Begründung", "Reason"),
    ("field.provider", "Dienstleister", "Provider"),
    ("field.message", "Nachricht an den Dienstleister", "Message to the provider"),
];
