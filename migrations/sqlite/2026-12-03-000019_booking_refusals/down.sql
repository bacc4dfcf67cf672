DROP TABLE booking_refusals;
