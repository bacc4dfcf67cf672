//! The words of journey 3, the volunteer: duties, my duty dates, absence, cover.
//! zh-CN first, English second; fields in the order the page shows them.

pub struct Duties {}

pub const ZH: Duties = Duties {};

pub const EN: Duties = Duties {};
