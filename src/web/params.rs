//! Path segments as types: a ticket number and a record id. Anything else in their place
//! is a page that does not exist (404), never a 422 or a 500.
use rocket::request::FromParam;

use crate::error::{AppError, AppResult};

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
    pub sort: Option<String>,
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
            sort: text(&self.sort),
            after: text(&self.after),
            limit: self.limit,
        }
    }

    /// A query string read as the queue page reads its own (`/desk?<query..>`): leniently,
    /// so parameters the queue does not know are dropped, not refused. With or without `?`.
    pub fn from_query_string(text: &str) -> AppResult<QueueQuery> {
        let text = text.trim().trim_start_matches('?');
        rocket::form::Form::<QueueQuery>::parse_encoded(rocket::http::RawStr::new(text))
            .map_err(|_| AppError::invalid("query", "saved_filters.query_invalid"))
    }
}

/// One query-string parameter of the JSON API, read strictly: given at most once, with a
/// value of its type. Rocket's `Option<T>` reads leniently — a repeated or unparsable value
/// becomes "not given" — so `?status=x&status=y` or `?limit=abc` would quietly list
/// everything; the API promises (and its OpenAPI document says) that they are refused.
#[derive(Debug)]
pub enum QueryParam<T> {
    Absent,
    Given(T),
    /// Given once, without a value (`?after=`).
    Empty {
        field: String,
    },
    Refused {
        field: String,
        message: &'static str,
    },
}

impl<T> QueryParam<T> {
    /// The value, `None` when not given, or the refusal naming the parameter.
    pub fn value(self) -> AppResult<Option<T>> {
        match self {
            QueryParam::Absent => Ok(None),
            QueryParam::Given(value) => Ok(Some(value)),
            QueryParam::Empty { field } => Err(AppError::invalid(&field, "validation.param_invalid")),
            QueryParam::Refused { field, message } => Err(AppError::invalid(&field, message)),
        }
    }

    /// The value, where an empty one means "not given" (a cursor on the first page).
    pub fn value_or_empty(self) -> AppResult<Option<T>> {
        match self {
            QueryParam::Empty { .. } => Ok(None),
            other => other.value(),
        }
    }
}

impl<T: PartialOrd + std::fmt::Display> QueryParam<T> {
    /// The value, refused outside `min..=max`.
    pub fn value_in(self, field: &str, min: T, max: T) -> AppResult<Option<T>> {
        match self.value()? {
            Some(value) if value < min || value > max => {
                Err(AppError::invalid_with(field, "validation.range", format!("{min}–{max}")))
            }
            value => Ok(value),
        }
    }
}

pub struct QueryParamContext<'v, T> {
    field: Option<String>,
    value: Option<rocket::form::Result<'v, T>>,
    empty: bool,
    count: usize,
}

#[rocket::async_trait]
impl<'v, T: rocket::form::FromFormField<'v> + Send> rocket::form::FromForm<'v> for QueryParam<T> {
    type Context = QueryParamContext<'v, T>;

    fn init(_: rocket::form::Options) -> Self::Context {
        QueryParamContext { field: None, value: None, empty: false, count: 0 }
    }

    fn push_value(ctx: &mut Self::Context, field: rocket::form::ValueField<'v>) {
        ctx.count += 1;
        if ctx.count == 1 {
            ctx.field = Some(field.name.source().to_string());
            ctx.empty = field.value.is_empty();
            if !ctx.empty {
                ctx.value = Some(T::from_value(field));
            }
        }
    }

    async fn push_data(ctx: &mut Self::Context, field: rocket::form::DataField<'v, '_>) {
        ctx.count += 1;
        if ctx.count == 1 {
            ctx.field = Some(field.name.source().to_string());
            ctx.value = Some(T::from_data(field).await);
        }
    }

    fn finalize(ctx: Self::Context) -> rocket::form::Result<'v, Self> {
        let field = ctx.field.unwrap_or_default();
        Ok(match (ctx.count, ctx.value) {
            (0, _) => QueryParam::Absent,
            (1, Some(Ok(value))) => QueryParam::Given(value),
            (1, Some(Err(_))) => QueryParam::Refused { field, message: "validation.param_invalid" },
            (1, None) => QueryParam::Empty { field },
            _ => QueryParam::Refused { field, message: "validation.param_repeated" },
        })
    }
}
