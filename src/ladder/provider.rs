//! What a provider does through their link: acknowledge with their own reference, comment
//! or ask back (with files), mark the problem solved. Each returns the link's access read
//! again, so the page and the API show the result.
use crate::app::App;
use crate::attachments::store::Staged;
use crate::error::AppResult;
use crate::forwards::service::{self as forwards, Access, ProviderAction};

async fn run(app: &App, access: Access, action: ProviderAction) -> AppResult<Access> {
    let txn = app.db.write().await?;
    let applied = action.write(&txn, &access).await?;
    super::follow::carry_out(&txn, app, &applied).await?;
    txn.commit().await?;
    crate::tickets::tell_queues(&app.live);
    applied.keep_files();
    forwards::reopen(app.db.read(), access).await
}

pub async fn acknowledge(app: &App, access: Access, reference: &str) -> AppResult<Access> {
    let action = forwards::acknowledge(&access, reference)?;
    run(app, access, action).await
}

pub async fn comment(app: &App, access: Access, body: &str, files: Staged) -> AppResult<Access> {
    let action = forwards::comment(&access, body, files)?;
    run(app, access, action).await
}

pub async fn resolve(app: &App, access: Access, solution: &str) -> AppResult<Access> {
    let action = forwards::resolve(&access, solution)?;
    run(app, access, action).await
}
