//! The words of journey 2, the interest-group leader: the rooms' week grid, weekly series, clashes, approvals.
//! zh-CN first, English second; fields in the order the page shows them.

pub struct Rooms {}

pub const ZH: Rooms = Rooms {};

pub const EN: Rooms = Rooms {};
