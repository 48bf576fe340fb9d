//! The matrix's rows for the support widget: the script, the availability and the badge are
//! for everyone (another site's visitors are anonymous here); the dialog is for everyone and
//! fits its reader; its forms are the report's (teachers) and the ticket's and chat's
//! (school admins). A dialog for an origin that is not configured, and an assertion that is
//! no assertion, are refused to everyone alike.
use super::Expect::*;
use super::*;

const DIALOG: &str = "/widget?<origin>&<page>&<context>&<q>";
const SESSION: &str = "/widget/session?<assertion>&<origin>&<page>&<context>";

pub(super) fn widget_rows() -> Vec<Row> {
    vec![
        get("/widget.js", "/widget.js", everyone(Ok(200))),
        get("/widget/status.json", "/widget/status.json", everyone(Ok(200))),
        get("/widget/badge.svg", "/widget/badge.svg", everyone(Ok(200))),
        get(DIALOG, "/widget", everyone(Ok(200))),
        get(DIALOG, "/widget?q=drucker&context=%7B%22kurs%22%3A%229b%22%7D", everyone(Ok(200))),
        get(DIALOG, "/widget?origin=https%3A%2F%2Fevil.example", everyone(Ok(422))),
        get(SESSION, "/widget/session?assertion=kaputt", everyone(Ok(422))),
        post("/widget/reports", "/widget/reports", &NEW_REPORT, only(&[TEACHER], Under("/reports/"))),
        post("/widget/tickets", "/widget/tickets", &NEW_TICKET, only(&[SCHOOL_ADMIN], Under("/helpdesk/tickets/T-"))),
        post("/widget/chats", "/widget/chats", &[("channel", "allgemein"), ("message", "Beamer zeigt nichts")], {
            only(&[SCHOOL_ADMIN], Under("/helpdesk/chats/"))
        }),
    ]
}
