//! Use cases that combine the core's rules with the store inside one
//! transaction: the caller (a handler, a job) opens the transaction with
//! `Db::write` and passes the connection in.

/// Accounts: a person's own mail preferences.
pub mod accounts;
/// The admin's queue of bookings waiting for approval.
pub mod approvals;
/// Reading the audit trail (admin).
pub mod audit;
/// Where a booking of a given length fits.
pub mod availability;
/// Making, cancelling, approving and checking in bookings; retiring resources.
pub mod bookings;
/// The site calendar of holidays and make-up working days.
pub mod calendar;
/// Personal calendar feed links and what a feed holds.
pub mod calendar_feed;
/// A site's group-chat robots and webhooks: set-up, tests, what was sent.
pub mod channels;
/// Volunteer duty series, sign-ups, absences, attendance and reminders.
pub mod duties;
/// The volunteer's duty pages: the list with what she may do, her dates, one date.
pub mod duty_board;
/// The admin's roll of duty dates: who is on, who came.
pub mod duty_roll;
/// The console's duty set-up page: the site's duties and its rooms.
pub mod duty_setup;
/// Interest groups and their leaders.
pub mod groups;
/// A person's own page: her account, language, mail, sessions.
pub mod me;
/// Adding, changing and removing the people of a site.
pub mod members;
/// A person's bookings and shifts ahead, and checking in, for the pages.
pub mod my_day;
/// Operators putting outgoing mail back in the queue.
pub mod outbox;
/// Preemption, relocation, the waitlist and the audit trail.
pub mod priority;
/// The quarterly check's reports: rooms, computers, front desk, volunteers.
pub mod reports;
/// Adding and changing resources and their blackouts.
pub mod resources;
/// A group leader's room requests: the preview of a series, her room bookings.
pub mod room_series;
/// A room's week grid: free, taken, closed.
pub mod room_week;
/// Generating, publishing and swapping the desk rota.
pub mod rota;
/// The rules an edit or a take of a rota shift would break, in words.
pub mod rota_breaches;
/// The secretary's 排班 page: templates, staff, a draft with its warnings and changes.
pub mod rota_console;
/// The rota's inputs: shift templates, staff unavailability, the solver's view.
pub mod rota_inputs;
/// One staff member's view of the published rota, for the shifts page.
pub mod rota_mine;
/// Reading the rota: drafts for admins, the published rota for staff.
pub mod rota_read;
/// A staff member's day as posted on the bulletin board.
pub mod schedule;
/// Opening sites and changing their settings.
pub mod sites;
/// Leaving the waitlist.
pub mod waitlist;
