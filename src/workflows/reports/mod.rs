//! The reports of the sub-district's quarterly check (issue 22), read for
//! a site over a period of site-local dates. Each report module gives a
//! typed report (the API's JSON) and its figures as a
//! [`crate::domain::report::Table`] (the page's chart and table, the CSV).
//! Who may read them is `Standing::may_read_reports`.

pub mod computers;
pub mod front_desk;
pub mod rooms;
pub mod summary;
pub mod volunteers;
