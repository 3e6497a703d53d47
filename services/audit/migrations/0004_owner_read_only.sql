-- The audit service's own role owns these tables; an owner keeps its
-- privileges unless it gives them up. It gives up changing and removing
-- rows, so that even the service's role can only append (the triggers of
-- 0001 and 0002 refuse it as well, for any role).
REVOKE UPDATE, DELETE, TRUNCATE
  ON audit.entries, audit.nodes, audit.entry_subjects, audit.tree_heads FROM CURRENT_USER;
