# Spanish messages: the same ids and placeholders as the English catalogue (en/messages.ftl), whose
# comments describe them.

## Flash messages, shown once after a redirect

flash-signed_in = Ha iniciado sesión.
flash-signed_out = Ha cerrado la sesión.
flash-login_required = Inicie sesión para continuar.
flash-email_verified = Su dirección de correo está confirmada. ¡Gracias!
flash-password_reset = Su contraseña se cambió y se cerró la sesión en todos los dispositivos. Inicie sesión con su nueva contraseña.
flash-password_changed = Su contraseña se cambió. Se cerró la sesión en sus otros dispositivos.
flash-profile_saved = Su perfil se guardó.
flash-picture_saved = Su imagen se guardó.
flash-picture_removed = Su imagen se quitó.
flash-email_change_sent = Casi listo: abra el enlace que enviamos a su nueva dirección para confirmarla.
flash-email_changed = Su dirección de correo se cambió.
flash-session_revoked = Se cerró la sesión en ese dispositivo.
flash-sessions_revoked = Se cerró la sesión en todos los demás dispositivos.
flash-api_key_revoked = Esa clave de API se revocó. Los programas que la usen serán rechazados.
flash-api_keys_revoked = Se revocaron todas las claves de API.
flash-account_deleted = Su cuenta se eliminó. ¡Adiós!
flash-admin_done = Hecho.
flash-sign_in_expired = Ese inicio de sesión caducó o ya se usó. Vuelva a iniciar sesión.
flash-second_factor_disabled = El inicio de sesión en dos pasos está desactivado: ahora su contraseña basta para iniciar sesión.
flash-reauthenticated = Gracias. Ya puede continuar.
flash-passkey_added = Su llave de acceso se añadió: a partir de ahora le permite iniciar sesión.
flash-passkey_renamed = Su llave de acceso cambió de nombre.
flash-passkey_removed = Su llave de acceso se quitó.
flash-identity_linked = El proveedor se vinculó: ya puede iniciar sesión con él. Le enviamos un aviso.
flash-identity_unlinked = El proveedor se desvinculó. Le enviamos un aviso.

## Error messages, by the error's code ($n: the number in the message, $wait: how long to
## wait, $field: the field that is taken)

error-validation_failed = Algunos campos necesitan su atención.
error-csrf_failed = Este formulario caducó o no procede de este sitio. Vuelva a cargar la página e inténtelo de nuevo.
error-payload_too_large = El cuerpo de la petición supera los { $n } bytes.
error-not_found = No hay nada en esta dirección.
error-method_not_allowed = Esta dirección no acepta ese método.
error-unauthenticated = Inicie sesión para continuar.
error-insufficient_scope = Esta clave de API no tiene el permiso que requiere esta ruta.
error-forbidden = No tiene permiso para hacer esto.
error-reauthentication_required = Primero confirme que es usted: vuelva a introducir su contraseña (o un código de su aplicación de autenticación).
error-second_factor_enrolment_required = Su cuenta necesita un segundo factor: configure primero una aplicación de autenticación.
error-email_not_verified = Primero confirme su dirección de correo: siga el enlace que le enviamos.
error-internal = Algo salió mal por nuestra parte. Vuelva a intentarlo en un momento.
error-invalid_credentials = El correo, el nombre de usuario o la contraseña no son correctos.
error-account_locked = Demasiados intentos fallidos. Vuelva a intentarlo en { $wait }.
error-rate_limited = Demasiadas peticiones. Vuelva a intentarlo en { $wait }.
error-account_disabled = Esta cuenta está desactivada.
error-second_factor_required = Esta cuenta inicia sesión con un segundo factor.
error-invalid_token = Este enlace no es válido, ha caducado o ya se usó.
error-conflict = { $field ->
    [email] Esta dirección de correo ya está en uso.
    [username] Este nombre de usuario ya está en uso.
   *[other] Este valor ({ $field }) ya está en uso.
}
error-stale = La cuenta cambió mientras la editaba. Vuelva a cargar e inténtelo de nuevo.
error-unavailable = El servicio no está disponible temporalmente. Vuelva a intentarlo en breve.
## Above a form whose fields are marked.
error-form = Corrija los campos marcados abajo.

## How long to wait, in the messages above

duration-second = un segundo
duration-seconds = { $n } segundos
duration-minute = un minuto
duration-minutes = { $n } minutos
duration-hours = { $n ->
    [one] una hora
   *[other] { $n } horas
}

## The title of an error page, by HTTP status

status-400 = Algo no está bien
status-401 = Inicie sesión
status-403 = No permitido
status-404 = Página no encontrada
status-405 = No permitido
status-409 = Conflicto
status-413 = Demasiados datos
status-415 = Petición no admitida
status-429 = Más despacio
status-503 = No disponible temporalmente
status-other = Algo salió mal

## Why a field was refused, by field and code ($n: the number in the message). A reason
## is shown in another language only when the engine's English text is this one.

field-email-required = Introduzca una dirección de correo.
field-email-invalid = Introduzca una dirección de correo válida, como nombre@example.com.
field-email-too_long = Una dirección de correo tiene como máximo { $n } caracteres.
field-new_email-required = Introduzca una dirección de correo.
field-new_email-invalid = Introduzca una dirección de correo válida, como nombre@example.com.
field-new_email-too_long = Una dirección de correo tiene como máximo { $n } caracteres.
field-username-too_short = Un nombre de usuario tiene al menos { $n } caracteres.
field-username-too_long = Un nombre de usuario tiene como máximo { $n } caracteres.
field-username-invalid = Use letras, dígitos, «_», «.» o «-», empezando por una letra o un dígito.
field-password-too_short = Use una contraseña de al menos { $n } caracteres; unas cuantas palabras forman una contraseña fuerte y fácil de recordar.
field-password-too_long = Use una contraseña de como máximo { $n } caracteres.
field-password-contains_personal_info = No use su dirección de correo ni su nombre de usuario en la contraseña.
field-password-invalid = La contraseña no es correcta.
field-current_password-invalid = La contraseña no es correcta.
field-password_confirm-mismatch = Las dos contraseñas no coinciden.
field-name-required = Dé un nombre a la clave.
field-name-too_long = El nombre de una clave tiene como máximo { $n } caracteres.
field-expires_at-in_the_past = La caducidad debe estar en el futuro.
field-code-invalid = Introduzca el código del correo.
field-token = no válido o caducado
field-required = Este campo es obligatorio.
field-id-malformed = Esto no es un identificador de entrega de webhook.
field-id-unknown = Ninguna entrega de webhook fallida tiene este identificador (quizá ya se reintentó o se descartó).

## Audit events on the admin pages, by kind

audit-registered = Cuenta creada
audit-email_verified = Dirección de correo confirmada
audit-login_succeeded = Sesión iniciada
audit-login_failed = Inicio de sesión fallido
audit-locked = Bloqueada tras intentos fallidos
audit-logged_out = Sesión cerrada
audit-logged_out_everywhere = Sesión cerrada en todas partes
audit-password_reset_requested = Restablecimiento de contraseña solicitado
audit-password_reset = Contraseña restablecida por enlace
audit-password_changed = Contraseña cambiada
audit-email_change_requested = Cambio de correo solicitado
audit-email_changed = Dirección de correo cambiada
audit-account_deleted = Cuenta eliminada
audit-disabled = Desactivada por un administrador
audit-enabled = Activada por un administrador
audit-unlocked = Desbloqueada por un administrador
audit-roles_changed = Roles cambiados
audit-forced_logout = Sesión cerrada en todas partes por un administrador
audit-session_revoked = Sesión cerrada en un dispositivo
audit-mail_retried = Correo fallido devuelto a la bandeja de salida
audit-mail_discarded = Correo fallido descartado
audit-profile_changed = Perfil cambiado
audit-webhook_retried = Webhook fallido devuelto a la bandeja de salida
audit-webhook_discarded = Webhook fallido descartado
audit-picture_changed = Imagen de perfil subida
audit-picture_removed = Imagen de perfil quitada
audit-second_factor_enabled = Aplicación de autenticación configurada
audit-second_factor_disabled = Segundo factor quitado
audit-second_factor_reset = Segundo factor restablecido por un administrador
audit-recovery_code_used = Sesión iniciada con un código de recuperación
audit-recovery_codes_regenerated = Códigos de recuperación sustituidos
audit-api_key_created = Clave de API creada
audit-api_keys_revoked = Claves de API revocadas
audit-identity_linked = Proveedor de inicio de sesión vinculado
audit-identity_unlinked = Proveedor de inicio de sesión desvinculado
audit-passkey_added = Llave de acceso añadida
audit-passkey_renamed = Llave de acceso renombrada
audit-passkey_removed = Llave de acceso quitada
audit-passkey_counter_regressed = Llave de acceso rechazada: su contador de firmas retrocedió (posiblemente clonada)
audit-reauthenticated = Identidad confirmada para una acción delicada
audit-access_token_issued = Token de acceso emitido

## Undelivered mail on the admin page, by kind

outbox-verification = Enlace de confirmación de la dirección
outbox-password_reset = Enlace para restablecer la contraseña
outbox-email_change = Enlace de confirmación de la nueva dirección
outbox-email_change_notice = Aviso de un cambio de dirección
outbox-password_changed = Aviso de un cambio de contraseña
outbox-account_exists = Aviso de un registro con una dirección ya usada
outbox-second_factor_enabled = Aviso de que se activó el inicio de sesión en dos pasos
outbox-second_factor_disabled = Aviso de que se desactivó el inicio de sesión en dos pasos
outbox-recovery_code_used = Aviso de un código de recuperación usado
outbox-second_factor_reset = Aviso de un segundo factor restablecido por un administrador
outbox-identity_linked = Aviso de un proveedor de inicio de sesión vinculado
outbox-identity_unlinked = Aviso de un proveedor de inicio de sesión desvinculado
outbox-sign_in_code = Código y enlace de acceso

## The buttons of the admin's user page, by action

admin-action-enable = Activar la cuenta
admin-action-disable = Desactivar la cuenta
admin-action-unlock = Quitar el bloqueo
admin-action-logout = Cerrar sesión en todas partes
admin-action-reset_second_factor = Restablecer el inicio de sesión en dos pasos
