//! Path segments as types: a ticket number and a record id. Anything else in their place
//! is a page that does not exist (404), never a 422 or a 500.
use rocket::request::FromParam;

use crate::tickets::TicketNumber;

impl<'a> FromParam<'a> for TicketNumber {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        TicketNumber::parse(param).ok_or(param)
    }
}

/// The id of a report, an attachment, a forward …: a positive number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i32);

impl<'a> FromParam<'a> for Id {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        param.parse().ok().filter(|id: &i32| *id > 0).map(Id).ok_or(param)
    }
}

/// A queue's query string (`/desk?queue=…&school=…`, `/api/v1/tickets?…`): every field
/// optional; what it names is checked by the queue (`tickets::queue`), with a clear message.
#[derive(Debug, Default, rocket::FromForm)]
pub struct QueueQuery {
    pub queue: Option<String>,
    pub school: Option<String>,
    pub service: Option<String>,
    pub priority: Option<String>,
    pub status: Option<String>,
    pub after: Option<String>,
    pub limit: Option<u64>,
}

impl QueueQuery {
    /// The filter, with the queue a page shows when the query names none.
    pub fn filter(&self, default_queue: &str) -> crate::tickets::queue::Filter {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::tickets::queue::Filter {
            queue: self.queue.clone().unwrap_or_else(|| default_queue.to_string()),
            school: text(&self.school),
            service: text(&self.service),
            priority: text(&self.priority),
            status: text(&self.status),
            after: text(&self.after),
            limit: self.limit,
        }
    }
}
