# messages

error-internal = Algo salió mal por nuestra parte. Vuelva a intentarlo en un momento.
