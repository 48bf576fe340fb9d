//! The service desk's clock: SLA targets per priority, business hours and holidays, and
//! the business-time arithmetic that due times are counted with. Below the ticket kernel,
//! which counts every ticket's due times with it; desk leads change it on `/desk/settings`.
pub mod calendar;
pub mod clock;
pub mod settings;

pub use calendar::Calendar;
pub use clock::{ClockCache, DeskClock};
