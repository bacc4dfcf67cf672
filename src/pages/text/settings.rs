//! The words of journey 5, everyone: notifications, the calendar-feed link, language, signing out everywhere.
//! zh-CN first, English second; fields in the order the page shows them.

pub struct Settings {}

pub const ZH: Settings = Settings {};

pub const EN: Settings = Settings {};
