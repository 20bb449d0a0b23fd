-- squawk ban-alter-domain-with-add-constraint: checks every column of the domain under lock.
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);
