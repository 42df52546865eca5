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
# The answer to an application whose adapter is wired wrongly (nothing about the setup)
error-miswired = Algo salió mal por nuestra parte.
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
## How a request was sent rather than what it asked: a body of the wrong type, or one
## that cannot be read ($field: the JSON member of the wrong type)
error-unsupported_media_type-json = Envíe JSON con Content-Type: application/json.
error-unsupported_media_type-form = Los formularios deben enviarse como application/x-www-form-urlencoded.
error-unsupported_media_type-multipart = Los formularios de subida deben enviarse como multipart/form-data.
error-unsupported_media_type-picture = Envíe los bytes de la imagen con Content-Type image/png, image/jpeg, image/webp o application/octet-stream.
error-bad_request-form = No se pudo leer el formulario.
error-bad_request-json = El cuerpo no es JSON válido.
error-bad_request-json_object = El cuerpo debe ser un objeto JSON.
error-bad_request-not_a_string = `{ $field }` debe ser una cadena de texto.
error-bad_request-not_a_list = `{ $field }` debe ser una lista de cadenas de texto.
error-bad_request-multipart = El cuerpo multipart está mal formado.
error-bad_request-body = No se pudo leer el cuerpo de la petición.
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

# engine reasons
## Por qué la aplicación rechazó un campo: los identificadores que el núcleo da con cada
## motivo (FieldError::reason). Los argumentos llevan números y nombres ($n, $label, ...);
## los consejos sobre la contraseña siguen al motivo de una contraseña.

field-challenge-gone = Esta solicitud de llave de acceso caducó o ya se usó; inténtelo de nuevo.
field-code-already_enrolled = Ya hay una aplicación de autenticación configurada; elimínela primero.
field-code-email_code_form = El código son los { $n } dígitos del correo.
field-code-enrolment_raced = Se empezó otra configuración al mismo tiempo; empiece de nuevo.
field-code-input_too_long = Un código tiene como máximo { $n } caracteres.
field-code-no_enrolment = No hay ninguna configuración pendiente (puede que haya caducado); empiece de nuevo.
field-code-no_second_factor = Esta cuenta no tiene segundo factor.
field-code-recovery_characters = Un código de recuperación solo tiene letras y dígitos.
field-code-recovery_length = Un código de recuperación tiene { $n } caracteres.
field-code-replayed = Este código ya se usó; espere al siguiente.
field-code-second_factor_needed = Introduzca un código de su aplicación de autenticación o un código de recuperación.
field-code-totp_digits_only = Un código solo tiene dígitos.
field-code-totp_length = Un código tiene exactamente { $n } dígitos.
field-code-totp_required = Introduzca el código de su aplicación de autenticación.
field-code-wrong = Este código no es correcto, caducó o ya se usó; pida uno nuevo.
field-code-wrong_recovery = Este código de recuperación no es correcto o ya se usó.
field-code-wrong_totp = El código no es correcto; compruebe la hora de su dispositivo.
field-credential-malformed = Esta no es una respuesta de una llave de acceso.
field-credential-no_passkey_sign_in = Esta cuenta no tiene llave de acceso; use el código de su aplicación.
field-credential-no_passkey_step_up = Esta cuenta no tiene llave de acceso; confirme de otra forma.
field-credential-not_verified = No se pudo verificar la llave de acceso.
field-credential-registered = Esta llave de acceso ya está registrada.
field-email-ip_literal = Introduzca una dirección con un nombre de dominio después de la @, no una dirección IP.
field-email-local_part_too_long = La parte de una dirección de correo antes de la @ tiene como máximo { $n } caracteres.
field-email-quoted = Introduzca una dirección sin comillas, como nombre@example.com: el correo a direcciones entre comillas no se puede entregar.
field-email-too_long_for_link = La dirección de correo es demasiado larga para un enlace de confirmación.
field-id-last_way_in = Esta llave de acceso es su única forma de iniciar sesión: primero establezca una contraseña (con un enlace de restablecimiento), añada otra llave de acceso o vincule un proveedor.
field-language-unsupported = Este idioma no se ofrece.
field-link-gone = Esta oferta de vinculación caducó o ya se usó; inicie sesión con el proveedor de nuevo.
field-name-control_characters = El nombre de una clave no puede contener caracteres de control.
field-name-too_many_keys = Esta cuenta tiene tantas claves como puede tener: revoque una primero.
field-name-too_many_passkeys = Esta cuenta tiene tantas llaves de acceso como puede tener: elimine una primero.
field-new_email-unchanged = Esta ya es su dirección de correo.
field-passkey_name-control_characters = El nombre de una llave de acceso no puede contener caracteres de control.
field-passkey_name-required = Dé un nombre a la llave de acceso.
field-passkey_name-too_long = El nombre de una llave de acceso tiene como máximo { $n } caracteres.
field-password-breached = Esta contraseña apareció en una filtración de datos, así que los atacantes la prueban primero. Elija otra.
field-password-passkey_needed = Esta cuenta tiene una llave de acceso: confirme con una de sus llaves de acceso, su contraseña sola no basta.
field-password-too_common = Esta contraseña es demasiado común y fácil de adivinar.
field-password-too_many_bytes = Use una contraseña de como máximo { $n } bytes.
field-password-too_weak = Esta contraseña es demasiado fácil de adivinar.
field-password_hash-malformed = Hash de contraseña { $format } mal formado.
field-password_hash-unknown_format = Formato de hash de contraseña desconocido: se espera una cadena PHC de Argon2, bcrypt ($2a$, $2b$, $2y$), PBKDF2-SHA256 (Django pbkdf2_sha256$ o passlib $pbkdf2-sha256$) o scrypt ($scrypt$).
field-pending-gone = Este inicio de sesión caducó o ya se completó; inicie sesión de nuevo.
field-picture-corrupt = El archivo { $format } está dañado o incompleto y no se puede leer.
field-picture-empty = Elija una imagen para subir: el archivo estaba vacío.
field-picture-too_large = La imagen ocupa más de { $n } bytes.
field-picture-too_many_pixels = La imagen tiene { $width }×{ $height } píxeles: se aceptan como máximo { $max_pixels } píxeles y { $max_side } por lado.
field-picture-unsupported_type = Suba una imagen PNG, JPEG o WebP.
field-picture-unsupported_type-found = Suba una imagen PNG, JPEG o WebP (este archivo es { $found ->
        [gif] una imagen GIF
        [bmp] una imagen BMP
        [tiff] una imagen TIFF
        [avif_heic] una imagen AVIF o HEIC
        [pdf] un documento PDF
        [zip] un archivo ZIP
       *[markup] texto: SVG, HTML o XML
    }).
field-profile-control_characters = { $label } no puede contener saltos de línea ni caracteres de control.
field-profile-not_a_date = { $label } debe ser una fecha escrita AAAA-MM-DD.
field-profile-not_a_number = { $label } debe ser un número.
field-profile-not_an_object = El perfil debe ser un objeto de campos.
field-profile-not_an_option = { $label } debe ser uno de: { $options }.
field-profile-not_email = { $label } debe ser una dirección de correo.
field-profile-not_text = { $label } debe ser texto.
field-profile-not_url = { $label } debe ser una dirección web que empiece por https://.
field-profile-not_yes_or_no = { $label } debe ser sí o no.
field-profile-out_of_range = { $label } debe estar entre { $min } y { $max }.
field-profile-pattern = { $label } no tiene la forma esperada.
field-profile-read_only = { $label } no se puede cambiar aquí.
field-profile-required = { $label } es obligatorio.
field-profile-too_large = El perfil ocupa más de { $n } bytes.
field-profile-too_long = { $label } debe tener como máximo { $n } caracteres.
field-profile-too_short = { $label } debe tener al menos { $n } caracteres.
field-profile-unknown_field = No hay ningún campo de perfil { $name }.
field-profile-unreadable = No se pudo leer el perfil.
field-profile-wrong_type = El perfil no se ajusta al tipo pedido.
field-profile-wrong_value_type = { $label } tiene un tipo incorrecto.
field-provider-invalid_name = El nombre de un proveedor tiene de 1 a 32 caracteres de a-z, 0-9, - y _.
field-provider-last_way_in = Esta es su única forma de iniciar sesión: primero establezca una contraseña (con un enlace de restablecimiento), añada una llave de acceso o vincule otro proveedor.
field-provider-no_email = El proveedor no dio ninguna dirección de correo, que una cuenta nueva necesita.
field-provider-sign_up_closed = No hay ninguna cuenta vinculada a este inicio de sesión, y con él no se pueden crear cuentas nuevas.
field-provider-unverified_email_taken = Inicie sesión primero con su contraseña y luego vincule este proveedor desde la página de su cuenta.
field-roles-invalid = El rol { $role } no es válido: use de 1 a { $n } caracteres de a-z, 0-9, «_», «-», «:».
field-roles-own_admin = No puede quitarse su propio rol de administrador.
field-scopes-unknown_scope = { $scope } no es un ámbito de este sitio.
field-subject-invalid = El identificador del proveedor está vacío, es demasiado largo o está mal formado.
field-token-sign_in_link = Este enlace de inicio de sesión no es válido, caducó o ya se usó; pida uno nuevo.
field-user-disable_self = No puede desactivar su propia cuenta.
password-advice-add_a_word = Añada una o dos palabras; las palabras poco comunes son mejores.
password-advice-all_uppercase = Todo en mayúsculas es casi tan fácil de adivinar como todo en minúsculas.
password-advice-another_word = Añada una o dos palabras. Las palabras poco comunes son mejores.
password-advice-capitalization = Las mayúsculas no ayudan mucho.
password-advice-few_words = Use unas cuantas palabras, evite frases hechas.
password-advice-longer_keyboard_pattern = Use un patrón de teclado más largo y con más giros.
password-advice-no_symbols_needed = No hacen falta símbolos, dígitos ni mayúsculas.
password-advice-personal_dates = Evite fechas y años relacionados con usted.
password-advice-personal_years = Evite años relacionados con usted.
password-advice-recent_years = Evite los años recientes.
password-advice-repeated_words = Evite palabras y caracteres repetidos.
password-advice-reversed_words = Las palabras al revés no son mucho más difíciles de adivinar.
password-advice-sequences = Evite las secuencias.
password-advice-substitutions = Las sustituciones previsibles como «@» en lugar de «a» no ayudan mucho.
password-warning-common = Esta es una contraseña muy común.
password-warning-common_names = Los nombres y apellidos comunes son fáciles de adivinar.
password-warning-dates = Las fechas suelen ser fáciles de adivinar.
password-warning-names = Los nombres y apellidos solos son fáciles de adivinar.
password-warning-recent_years = Los años recientes son fáciles de adivinar.
password-warning-repeated_sequences = Las repeticiones como «abcabcabc» son solo un poco más difíciles de adivinar que «abc».
password-warning-repeats = Las repeticiones como «aaa» son fáciles de adivinar.
password-warning-sequences = Las secuencias como abc o 6543 son fáciles de adivinar.
password-warning-short_keyboard_patterns = Los patrones de teclado cortos son fáciles de adivinar.
password-warning-similar_to_common = Se parece a una contraseña muy usada.
password-warning-single_word = Una palabra sola es fácil de adivinar.
password-warning-straight_rows = Las filas rectas de teclas son fáciles de adivinar.
password-warning-top10 = Es una de las 10 contraseñas más comunes.
password-warning-top100 = Es una de las 100 contraseñas más comunes.
## Los motivos de campo propios de la capa web
field-codes-not_current = no son los códigos de recuperación sin usar de la cuenta
field-token_mode-invalid = token_mode es «cookie» (el valor predeterminado) o «bearer».
field-not_a_number = Debe ser un número entero, como 0 o 25.
field-offset-out_of_range = Debe ser como máximo { $n }.
field-scopes-not_granted = Un token solo puede llevar ámbitos que la clave (o, para una sesión, la aplicación) concede.
field-audience-unknown_audience = Los tokens se emiten para: { $audiences }.
field-expires_in_days-out_of_range = Debe ser de 1 a { $n } días, u omitirse para que no caduque.
field-expires_at-invalid = Debe ser una fecha y hora en formato RFC 3339, como 2027-01-31T00:00:00Z.

# web layer texts
## The web layer's own texts: a flash, the more specific refusals that replace an error's
## message ($reason: a field's reason, $field: a field's name), and the `message` of the
## JSON API's 202 "accepted" answers.

flash-language_saved = Idioma guardado.
refusal-sign-in-email-not-verified = Confirme su dirección de correo antes de iniciar sesión: siga el enlace que le enviamos o pida uno nuevo.
refusal-recovery-codes-not-current = Estos no son sus códigos de recuperación actuales. Cree otros nuevos en la página de inicio de sesión en dos pasos de su cuenta.
refusal-provider-sign-in-failed = El inicio de sesión con este proveedor falló o caducó. Vuelva a intentarlo.
refusal-provider-sign-in-failed-reason = el inicio de sesión falló o caducó
refusal-provider-unavailable = No se pudo contactar con el proveedor. Vuelva a intentarlo en un momento.
refusal-provider-not-usable-here = Este inicio de sesión no se puede usar aquí: { $reason }.
refusal-link-offer-expired = Esta oferta de vinculación caducó o ya se usó. Vuelva a iniciar sesión con el proveedor.
refusal-passkey-not-accepted = Esta llave de acceso no fue aceptada. Puede que se haya eliminado de su cuenta: inicie sesión de otra manera.
refusal-query-not-usable = El valor { $field } de la dirección no se puede usar: { $reason }
accepted-sign-up = Revise su bandeja de entrada: le enviamos un enlace para confirmar la dirección.
accepted-verification-resent = Si la dirección pertenece a una cuenta que aún debe confirmarse, hay un nuevo enlace en camino.
accepted-reset-sent = Si existe una cuenta para esta dirección, le enviamos un enlace para elegir una nueva contraseña.
accepted-sign-in-code-sent = Si existe una cuenta para esta dirección, le enviamos un código y un enlace para iniciar sesión.
accepted-email-change-sent = Enviamos un enlace de confirmación a la nueva dirección.
