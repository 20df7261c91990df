/* SQLite's catalog, as schema snapshots read it (schema.h). */
#include "schema.h"

#define USER_TABLES "FROM sqlite_schema m WHERE m.type = 'table' AND " \
	"m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

const char *const sqlite_schema_sql[] = {
	"SELECT 'table ' || m.name, NULL " USER_TABLES,
	/* columns: declared type (case aside), not null, default, key */
	"SELECT 'column ' || m.name || '.' || p.name, lower(p.type) || "
	"CASE WHEN p.\"notnull\" THEN ' not null' ELSE '' END || "
	"CASE WHEN p.dflt_value IS NOT NULL THEN ' default ' || p.dflt_value "
	"ELSE '' END || CASE WHEN p.pk THEN ' primary key' ELSE '' END || "
	"CASE p.hidden WHEN 2 THEN ' generated' WHEN 3 THEN ' generated "
	"stored' ELSE '' END "
	"FROM sqlite_schema m, pragma_table_xinfo(m.name) p "
	"WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	/* foreign keys, by their columns */
	"SELECT 'constraint ' || m.name || '.foreign key (' || "
	"group_concat(f.\"from\", ', ') || ')', 'references ' || f.\"table\" "
	"|| ' (' || group_concat(coalesce(f.\"to\", ''), ', ') || ') on "
	"update ' || f.on_update || ' on delete ' || f.on_delete "
	"FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
	"WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	"GROUP BY m.name, f.id",
	/* indexes: unique, columns, partial (SQL text for expressions) */
	"SELECT 'index ' || m.name || '.' || l.name, "
	"CASE WHEN l.\"unique\" THEN 'unique ' ELSE '' END || '(' || "
	"(SELECT group_concat(coalesce(x.name, '<expression>') || "
	"CASE WHEN x.\"desc\" THEN ' desc' ELSE '' END, ', ') "
	"FROM pragma_index_xinfo(l.name) x WHERE x.\"key\") || ')' || "
	"CASE WHEN l.partial THEN ' where: ' || (SELECT lower(s.sql) FROM "
	"sqlite_schema s WHERE s.type = 'index' AND s.name = l.name) ELSE '' "
	"END FROM sqlite_schema m, pragma_index_list(m.name) l "
	"WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	"SELECT 'view ' || name, sql FROM sqlite_schema WHERE type = 'view'",
	"SELECT 'trigger ' || tbl_name || '.' || name, sql FROM sqlite_schema "
	"WHERE type = 'trigger'",
	NULL,
};
