//! Carrying out what a change sets off, in the change's transaction: the school's mail,
//! the desk's, the reporting teacher's, and the end of every provider link at close.
use crate::app::App;
use crate::db::WriteTxn;
use crate::error::AppResult;
use crate::tickets::{mails, Applied};
use entities::ForwardStatus;

pub async fn carry_out(txn: &WriteTxn, app: &App, applied: &Applied) -> AppResult<()> {
    let follow = &applied.follow;
    let body = &applied.event.body;
    if let Some(kind) = follow.mail_school {
        mails::to_school(txn, &app.mailer, &applied.ticket, kind, body).await?;
    }
    if let Some(news) = follow.mail_desk {
        mails::to_desk(txn, &app.mailer, &applied.ticket, news, body).await?;
    }
    if follow.tell_reporter {
        crate::reports::service::ticket_resolved(txn, &app.mailer, &applied.ticket).await?;
    }
    if follow.end_forwards {
        crate::forwards::service::end_all(txn, applied.ticket.id, ForwardStatus::Closed).await?;
    }
    Ok(())
}
