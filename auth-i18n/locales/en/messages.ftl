# messages

error-internal = Something went wrong on our side. Please try again in a moment.
