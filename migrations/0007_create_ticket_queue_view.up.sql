-- The staff queue shown by /tickets. The notes deliberately contain
-- semicolons and a doubled quote: a script splitter must not cut inside them.
CREATE VIEW ticket_queue AS
SELECT
    t.id,
    t.guild_id,
    s.guild_name,
    t.subject,
    t.priority,
    t.assigned_to,
    t.created_at,
    CASE
        WHEN t.status = 'pending' THEN 'waiting on the member; don''t ping'
        WHEN t.assigned_to IS NULL THEN 'unassigned; claim with /ticket claim'
        ELSE 'in progress; reply within 24h'
    END AS queue_note
FROM support_tickets t
JOIN bot_settings s ON s.guild_id = t.guild_id
WHERE t.status IN ('open', 'pending');
