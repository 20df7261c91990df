DROP VIEW ticket_queue;
