# messages

error-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.
