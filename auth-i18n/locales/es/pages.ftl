# Spanish pages: the same ids and placeholders as the English catalogue (en/pages.ftl), whose
# comments describe them.

## The name of the language, in itself (the language switch in the footer shows it).
language-name = Español

## common

common-email = Correo
common-confirmed = confirmado
common-not-confirmed = sin confirmar
common-username = Nombre de usuario
common-roles = Roles
common-two-step-sign-in = Inicio de sesión en dos pasos
common-on = activado
common-make-new-ones = cree otros nuevos
common-off = desactivado
common-turn-on-two-step-sign = Activar el inicio de sesión en dos pasos
common-profile = Perfil
common-api-keys = Claves de API
common-name = Nombre
common-created = Creada
common-last-used = Último uso
common-action = Acción
common-none = ninguno
common-never = nunca
common-delete-account = Eliminar la cuenta
common-current-password = Contraseña actual
common-sign-in-providers = Proveedores de inicio de sesión
common-password = Contraseña
common-email-address = Correo electrónico
common-passkeys = Llaves de acceso
common-actions = Acciones
common-new-password = Nueva contraseña
common-confirm-new-password = Confirme la nueva contraseña
common-status = Estado
common-account = Cuenta
common-cancel = Cancelar
common-code-from-your-app = Código de su aplicación
common-device = Dispositivo
common-last-active = Última actividad
common-ip-address = Dirección IP
common-unknown-device = Dispositivo desconocido
common-sign-out = Cerrar sesión
common-all-users = ← Todos los usuarios
common-undelivered-mail = Correo no entregado
common-webhook-deliveries = Entregas de webhooks
common-previous = Anterior
common-next = Siguiente
common-disabled = desactivada
common-active = activa
common-sign-in = Iniciar sesión
common-create-account = Crear cuenta
common-keep-me-signed-in-on = Mantener la sesión iniciada en este dispositivo
common-email-me-a-sign-in = Prefiero recibir un código de acceso por correo
common-or = o
common-email-or-username = Correo o nombre de usuario
common-sign-in-with-a-password = Iniciar sesión con contraseña
common-send-a-new-code = Enviar un código nuevo
common-code = Código
common-the-digits-from-the-email = Los dígitos del correo.
common-use-a-passkey = Usar una llave de acceso
common-back-to-sign-in = Volver a iniciar sesión
common-set-new-password = Guardar la nueva contraseña
common-confirm-your-email-address = Confirme su dirección de correo
common-confirm-my-email-address = Confirmar mi dirección de correo

## account

account-your-account = Su cuenta
account-member-since = Miembro desde
account-send-a-new-confirmation-link = Enviar un nuevo enlace de confirmación
account-a-code-from-your-authenticator = Después de su contraseña se pide un código de su aplicación de autenticación. Quedan { $recovery_codes_left } de 10 códigos de recuperación
account-your-password-alone-signs-you = Su contraseña basta para iniciar sesión. Con una aplicación de autenticación, una contraseña robada no sirve por sí sola.
account-manage-two-step-sign-in = Gestionar el inicio de sesión en dos pasos
account-picture = Imagen
account-your-picture-is-shown-instead = Se muestra su imagen en lugar de sus iniciales.
account-your-initials-are-shown-until = Se muestran sus iniciales hasta que suba una imagen.
account-upload-a-picture = Subir una imagen
account-png-jpeg-or-webp-up = PNG, JPEG o WebP, hasta { $picture_limit }. Se recorta en un cuadrado y solo se conservan sus píxeles: ni ubicación, ni cámara, ni otros datos.
account-upload-picture = Subir imagen
account-remove-picture = Quitar imagen
account-save = Guardar
account-leave-empty-to-remove-it = Déjelo vacío para quitarlo.

## account-api-keys

account-api-keys-your-new-api-key = Su nueva clave de API
account-api-keys-copy-it-now-this-is = Cópiela ahora: es la única vez que se muestra. Guárdela tan en secreto como una contraseña.
account-api-keys-programs-send-it-as = Los programas la envían como
account-api-keys-keys-let-your-scripts-and = Las claves permiten que sus scripts y programas actúen por usted, dentro de los permisos que elija. Revoque las claves que ya no use.
account-api-keys-your-api-keys = Sus claves de API
account-api-keys-scopes = Permisos
account-api-keys-expires = Caduca
account-api-keys-expired = caducada
account-api-keys-from = desde { $last_used_ip }
account-api-keys-revoke = Revocar
account-api-keys-revoke-all-keys = Revocar todas las claves
account-api-keys-you-have-no-api-keys = No tiene claves de API.
account-api-keys-create-a-key = Crear una clave
account-api-keys-this-site-declares-no-scopes = Este sitio no declara permisos: una clave solo puede identificarle.
account-api-keys-create-key = Crear clave
account-api-keys-what-uses-it-such-as = Qué la usa, por ejemplo «script de copias de seguridad».

## account-delete

account-delete-this-removes-your-account-and = Esto elimina su cuenta y cierra la sesión en todos los dispositivos. No se puede deshacer.
account-delete-delete-my-account = Eliminar mi cuenta

## account-email

account-email-change-email-address = Cambiar la dirección de correo
account-email-your-address-is = Su dirección es
account-email-we-will-send-a-link = . Enviaremos un enlace a la nueva dirección; el cambio se hace cuando lo abra.
account-email-send-confirmation-link = Enviar enlace de confirmación
account-email-new-email-address = Nueva dirección de correo

## account-identities

account-identities-accounts-at-other-providers-you = Cuentas en otros proveedores con las que puede iniciar sesión. Le avisamos por correo cada vez que se vincula o desvincula una.
account-identities-linked-providers = Proveedores vinculados
account-identities-provider = Proveedor
account-identities-address = Dirección
account-identities-linked = Vinculado
account-identities-verified = verificada
account-identities-unlink = Desvincular
account-identities-this-is-your-only-way = Es su única forma de iniciar sesión: establezca una contraseña (con «¿Ha olvidado su contraseña?»), añada una llave de acceso o vincule otro proveedor antes de desvincularlo.
account-identities-no-provider-is-linked-to = No hay ningún proveedor vinculado a su cuenta.
account-identities-link-another-provider = Vincular otro proveedor
account-identities-you-will-sign-in-at = Iniciará sesión en el proveedor y después volverá aquí.
account-identities-link = Vincular { $label }

## account-layout

account-layout-devices = Dispositivos
account-layout-account-settings = Ajustes de la cuenta

## account-passkeys

account-passkeys-a-passkey-signs-you-in = Una llave de acceso le permite iniciar sesión con su huella, su cara o el bloqueo de pantalla en lugar de su contraseña: nada que escribir y nada que un sitio falso pueda robar. Después de su contraseña también sirve como segundo paso.
account-passkeys-your-passkeys = Sus llaves de acceso
account-passkeys-synced = sincronizada
account-passkeys-new-name-for = Nuevo nombre para { $name }
account-passkeys-rename = Cambiar nombre
account-passkeys-remove = Quitar
account-passkeys-removing-a-passkey-asks-you = Para quitar una llave de acceso debe confirmar que es usted.
account-passkeys-your-password-still-signs-you = Después podrá seguir iniciando sesión con su contraseña.
account-passkeys-your-last-way-to-sign = Su última forma de iniciar sesión se mantiene: añada otra llave de acceso, vincule un proveedor o establezca una contraseña (con «¿Ha olvidado su contraseña?») antes de quitarla.
account-passkeys-you-have-no-passkeys-yet = Todavía no tiene llaves de acceso.
account-passkeys-add-a-passkey = Añadir una llave de acceso
account-passkeys-adding-a-passkey-needs-a = Para añadir una llave de acceso necesita un navegador compatible con llaves de acceso y JavaScript activado.
account-passkeys-where-the-passkey-lives-such = Dónde está la llave de acceso, por ejemplo «Touch ID del MacBook» o «Móvil del trabajo».

## account-password

account-password-change-password = Cambiar la contraseña
account-password-your-other-devices-will-be = Se cerrará la sesión en sus otros dispositivos.

## account-recovery-codes

account-recovery-codes-two-step-sign-in-is = El inicio de sesión en dos pasos está activado.
account-recovery-codes-save-your-recovery-codes = Guarde sus códigos de recuperación
account-recovery-codes-if-you-lose-your-phone = Si pierde su teléfono, cada uno de estos códigos le permite iniciar sesión una vez en lugar de un código de la aplicación. Es la única vez que se muestran: descárguelos o anótelos y guárdelos en un lugar seguro.
account-recovery-codes-download-as-a-text-file = Descargar como archivo de texto
account-recovery-codes-i-saved-them = Ya los he guardado

## account-second-factor

account-second-factor-on-signing-in-asks-for = Activado: al iniciar sesión se pide un código de su aplicación de autenticación después de su contraseña.
account-second-factor-turned-on = Activado el
account-second-factor-recovery-codes-left = Códigos de recuperación restantes
account-second-factor-of-10 = { $recovery_codes_left } de 10
account-second-factor-off-your-password-alone-signs = Desactivado: su contraseña basta para iniciar sesión.
account-second-factor-add-an-authenticator-app-such = Añada una aplicación de autenticación (como Google Authenticator, Microsoft Authenticator, 1Password o Aegis): al iniciar sesión también se pedirá el código de seis dígitos que muestre, así que una contraseña robada no bastará.
account-second-factor-set-up-an-authenticator-app = Configurar una aplicación de autenticación
account-second-factor-recovery-codes = Códigos de recuperación
account-second-factor-each-recovery-code-signs-you = Cada código de recuperación le permite iniciar sesión una vez si pierde su teléfono. Crear códigos nuevos sustituye a todos los anteriores.
account-second-factor-make-new-recovery-codes = Crear nuevos códigos de recuperación
account-second-factor-turn-off-two-step-sign = Desactivar el inicio de sesión en dos pasos
account-second-factor-your-password-alone-will-sign = Su contraseña volverá a bastar para iniciar sesión. Le avisaremos por correo.
account-second-factor-current-code = Código actual
account-second-factor-from-your-authenticator-app-or = De su aplicación de autenticación, o uno de sus códigos de recuperación.

## account-second-factor-enrol

account-second-factor-enrol-set-up-two-step-sign = Configurar el inicio de sesión en dos pasos
account-second-factor-enrol-scan-this-qr-code-with = Escanee este código QR con su aplicación de autenticación.
account-second-factor-enrol-or-if-you-cannot-scan = O, si no puede escanearlo, añada una cuenta a mano con esta clave:
account-second-factor-enrol-key = Clave
account-second-factor-enrol-issuer = Emisor
account-second-factor-enrol-type = Tipo
account-second-factor-enrol-time-based-6-digits-every = basado en el tiempo, 6 dígitos, cada 30 segundos
account-second-factor-enrol-enter-the-code-the-app = Introduzca el código que muestra ahora la aplicación para terminar.
account-second-factor-enrol-enter-the-code-your-authenticator = Introduzca el código que su aplicación de autenticación muestra ahora para la cuenta que acaba de añadir. ¿Ha perdido el código QR? Empiece de nuevo abajo.
account-second-factor-enrol-start-again-with-a-new = Empezar de nuevo con otro código QR
account-second-factor-enrol-six-digits-nothing-changes-on = Seis dígitos. Nada cambia en su cuenta hasta que este código sea correcto.

## account-sessions

account-sessions-signed-in-devices = Dispositivos con sesión iniciada
account-sessions-sign-out-any-device-you = Cierre la sesión en cualquier dispositivo que no reconozca.
account-sessions-active-sessions = Sesiones activas
account-sessions-signed-in = Inicio de sesión
account-sessions-this-device = este dispositivo
account-sessions-remembered = recordado
account-sessions-sign-out-all-other-devices = Cerrar la sesión en todos los demás dispositivos

## admin-mail

admin-mail-every-message-was-delivered-or = Todos los mensajes se entregaron o se siguen intentando.
admin-mail-a-retried-message-goes-out = Un mensaje reintentado sale con la siguiente ronda de entrega; puede que sus enlaces hayan caducado entretanto. Un mensaje descartado se elimina para siempre.
admin-mail-recipient = Destinatario
admin-mail-message-2 = Mensaje
admin-mail-attempts = Intentos
admin-mail-why = Motivo
admin-mail-queued = En cola
admin-mail-given-up = Abandonado
admin-mail-retry = Reintentar
admin-mail-the-message-to = el mensaje para { $to }
admin-mail-discard = Descartar
admin-mail-no-undelivered-mail = No hay correo sin entregar.

## admin-webhooks

admin-webhooks-nothing-was-sent-yet = Todavía no se ha puesto ningún webhook en cola, o los entregados ya se han eliminado.
admin-webhooks-a-retried-delivery-goes-out = Las entregas se reintentan con pausas cada vez más largas hasta agotar los intentos; solo las fallidas esperan por usted. Una entrega reintentada sale con la siguiente ronda de entrega, firmada de nuevo. Una entrega descartada se elimina para siempre.
admin-webhooks-event = Evento
admin-webhooks-endpoint = Destino
admin-webhooks-state = Estado
admin-webhooks-attempts = Intentos
admin-webhooks-last-outcome = Último resultado
admin-webhooks-queued = En cola
admin-webhooks-next-attempt = Próximo intento
admin-webhooks-finished = terminada { $at }
admin-webhooks-retry = Reintentar
admin-webhooks-discard = Descartar
admin-webhooks-the-delivery-of = la entrega de { $event } a { $url }
admin-webhooks-no-deliveries = No hay entregas de webhooks.
admin-webhooks-state-pending = Pendiente
admin-webhooks-state-delivered = Entregada
admin-webhooks-state-failed = Fallida

## admin-user

admin-user-id = Id
admin-user-locked = , bloqueada
admin-user-last-sign-in = Último inicio de sesión
admin-user-on-since-recovery-codes-left = activado desde { $enrolled_at }, quedan { $recovery_codes_left } códigos de recuperación
admin-user-save-roles = Guardar roles
admin-user-save-profile = Guardar perfil
admin-user-sessions = Sesiones
admin-user-no-active-sessions = No hay sesiones activas.
admin-user-recent-activity = Actividad reciente
admin-user-event = Evento
admin-user-when = Cuándo
admin-user-nothing-recorded = No hay nada registrado.
admin-user-comma-separated-e-g-admin = Separados por comas, p. ej. admin, editor.

## admin-users

admin-users-users = Usuarios
admin-users-search-by-email-or-username = Buscar por correo o nombre de usuario
admin-users-search = Buscar
admin-users-locked = bloqueada
admin-users-unconfirmed = sin confirmar
admin-users-no-users-found = No se encontraron usuarios.

## base

base-skip-to-content = Saltar al contenido
base-signed-in-as = Sesión iniciada como
base-admin = Administración

## email-confirm

email-confirm-confirm-your-new-address = Confirme su nueva dirección
email-confirm-confirm-to-make-this-the = Confirme para que esta sea la dirección de correo de su cuenta. Después se cerrará la sesión en todos los dispositivos; vuelva a iniciarla con la nueva dirección.
email-confirm-confirm-new-address = Confirmar la nueva dirección
email-confirm-did-not-ask-for-this = ¿No ha pedido este cambio? Cierre esta página: la cuenta conserva su dirección salvo que pulse el botón.

## error

error-go-to-the-home-page = Ir a la página de inicio

## login

login-welcome-back-to = Bienvenido de nuevo a { $app_name }.
login-forgot-your-password = ¿Ha olvidado su contraseña?
login-sign-in-with-a-passkey = Iniciar sesión con una llave de acceso
login-new-here = ¿Es nuevo aquí?
login-create-an-account = Crear una cuenta

## login-email

login-email-sign-in-by-email = Iniciar sesión por correo
login-email-we-will-email-you-a = Le enviaremos por correo un código de acceso y un enlace. No necesita contraseña.
login-email-email-me-a-code = Enviarme un código
login-email-i-already-have-a-code = Ya tengo un código

## login-email-code

login-email-code-enter-your-sign-in-code = Introduzca su código de acceso
login-email-code-type-the-code-from-the = Escriba el código del correo de acceso. Sirve una vez y caduca pronto.

## login-email-link

login-email-link-you-followed-a-sign-in = Ha seguido un enlace de acceso de su correo. Pulse el botón para iniciar sesión en este dispositivo.
login-email-link-did-not-ask-to-sign = ¿No ha pedido iniciar sesión? Cierre esta página: nadie inicia sesión salvo que pulse el botón.

## login-second-factor

login-second-factor-your-password-was-right-enter = Su contraseña es correcta. Introduzca uno de los códigos de recuperación que guardó al activar el inicio de sesión en dos pasos; cada código sirve una vez.
login-second-factor-your-password-was-right = Su contraseña es correcta.
login-second-factor-use-one-of-your-passkeys = Use una de sus llaves de acceso o introduzca el código que su aplicación de autenticación muestra para { $app_name }.
login-second-factor-open-your-authenticator-app-and = Abra su aplicación de autenticación e introduzca el código que muestra para { $app_name }.
login-second-factor-verify-and-sign-in = Verificar e iniciar sesión
login-second-factor-use-your-authenticator-app-instead = Usar la aplicación de autenticación
login-second-factor-lost-your-phone = ¿Ha perdido su teléfono?
login-second-factor-use-a-recovery-code = Usar un código de recuperación
login-second-factor-start-over = Empezar de nuevo
login-second-factor-recovery-code = Código de recuperación
login-second-factor-like-xxxx-xxxx-xxxx-xxxx = Como XXXX-XXXX-XXXX-XXXX-XXXX-XXXX; los guiones y las mayúsculas no importan.
login-second-factor-six-digits-a-new-one = Seis dígitos. Cada 30 segundos aparece uno nuevo.

## macros

macros-optional = (opcional)
macros-continue-with = Continuar con { $label }

## message

message-send-a-new-link = Enviar un enlace nuevo

## oidc-link

oidc-link-link-to-your-account = Vincular { $provider_label } a su cuenta
oidc-link-you-are-signed-in-link = Ha iniciado sesión. ¿Vincular su acceso de { $provider_label } a esta cuenta? Después podrá iniciar sesión con cualquiera de los dos y desvincularlo desde la página de su cuenta.
oidc-link-link = Vincular { $provider_label }
oidc-link-not-now = Ahora no
oidc-link-an-account-with-the-address = Ya existe una cuenta con la dirección que nos dio { $provider_label }. Para vincularlas, demuestre que es suya: inicie sesión en ella primero.
oidc-link-nothing-is-linked-until-you = No se vincula nada hasta que lo confirme en la página siguiente.

## reauth

reauth-confirm-it-is-you = Confirme que es usted
reauth-lead-passkey = Esta acción necesita una prueba reciente. Use una de sus llaves de acceso.
reauth-confirming-with-a-passkey-needs = Para confirmar con una llave de acceso necesita un navegador compatible con llaves de acceso y JavaScript activado.
reauth-continue = Continuar

## register

register-create-your-account = Cree su cuenta
register-it-takes-less-than-a = Se tarda menos de un minuto.
register-sign-up-with-a-passkey = Registrarse con una llave de acceso
register-enter-your-email-address-above = Introduzca arriba su dirección de correo y use su huella, su cara o el bloqueo de pantalla en lugar de una contraseña.
register-already-have-an-account = ¿Ya tiene una cuenta?
register-letters-digits-dots-dashes-and = Letras, dígitos, puntos, guiones y guiones bajos. Puede iniciar sesión con él en lugar de con su correo.
register-confirm-password = Confirme la contraseña

## request-reset

request-reset-reset-your-password = Restablezca su contraseña
request-reset-enter-your-email-address-and = Introduzca su dirección de correo y le enviaremos un enlace para elegir una nueva contraseña.
request-reset-send-reset-link = Enviar enlace de restablecimiento

## reset

reset-choose-a-new-password = Elija una nueva contraseña
reset-after-this-every-device-signed = Después se cerrará la sesión en todos los dispositivos conectados a su cuenta.

## reset-code

reset-code-reset-with-a-code = Restablecer con un código
reset-code-type-the-code-from-the = Escriba el código del correo de restablecimiento y elija una nueva contraseña. Después se cerrará la sesión en todos los dispositivos conectados a su cuenta.

## verify

verify-one-more-step-confirm-that = Un paso más: confirme que esta dirección es suya para terminar de configurar la cuenta.
verify-did-not-create-an-account = ¿No ha creado una cuenta? Cierre esta página: no se confirma nada salvo que pulse el botón.

## verify-code

verify-code-enter-your-confirmation-code = Introduzca su código de confirmación
verify-code-the-email-we-sent-has = El correo que le enviamos tiene un enlace y un código. Si no puede abrir el enlace en este dispositivo, escriba aquí el código.

## verify-resend

verify-resend-enter-the-address-you-registered = Introduzca la dirección con la que se registró y le enviaremos un nuevo enlace de confirmación.
verify-resend-send-link = Enviar enlace

## Counted and composed texts

common-password-hint = Al menos { $min } caracteres.
register-password-hint = Al menos { $min } caracteres. Unas cuantas palabras sin relación forman una contraseña fuerte.
account-api-keys-in-7-days = en 7 días
account-api-keys-in-30-days = en 30 días
account-api-keys-in-90-days = en 90 días
account-api-keys-in-a-year = en un año
admin-users-count = { $total ->
    [one] { $total } cuenta.
   *[other] { $total } cuentas.
}
admin-users-count-matching = { $total ->
    [one] { $total } cuenta coincide con «{ $search }».
   *[other] { $total } cuentas coinciden con «{ $search }».
}
admin-mail-count = { $total ->
    [one] { $total } mensaje no se pudo entregar y no se volverá a intentar salvo que lo reintente.
   *[other] { $total } mensajes no se pudieron entregar y no se volverán a intentar salvo que los reintente.
}
admin-webhooks-count = { $total ->
    [one] { $total } entrega de webhook, la más reciente primero.
   *[other] { $total } entregas de webhooks, las más recientes primero.
}
reauth-lead-code-or-passkey = Esta acción necesita una prueba reciente. Use una de sus llaves de acceso o introduzca un código de su aplicación de autenticación o uno de sus códigos de recuperación.
reauth-lead-code = Esta acción necesita una prueba reciente. Introduzca un código de su aplicación de autenticación o uno de sus códigos de recuperación.
reauth-lead-password-or-passkey = Esta acción necesita una prueba reciente. Use una de sus llaves de acceso o vuelva a introducir su contraseña.
reauth-lead-password = Esta acción necesita una prueba reciente. Vuelva a introducir su contraseña.
base-languages = Idioma

## Page titles (the browser tab), set by the pages' code

title-api-keys = Claves de API
title-check-your-inbox = Revise su bandeja de entrada
title-choose-a-new-password = Elija una nueva contraseña
title-confirm-it-is-you = Confirme que es usted
title-confirm-your-email-address = Confirme su dirección de correo
title-confirm-your-new-address = Confirme su nueva dirección
title-devices = Dispositivos
title-link-your-account = Vincule su cuenta
title-passkeys = Llaves de acceso
title-set-up-two-step-sign-in = Configurar el inicio de sesión en dos pasos
title-sign-in = Iniciar sesión
title-sign-in-providers = Proveedores de inicio de sesión
title-two-step-sign-in = Inicio de sesión en dos pasos
title-undelivered-mail = Correo no entregado
title-webhook-deliveries = Entregas de webhooks
title-users = Usuarios
title-your-account = Su cuenta
title-your-recovery-codes = Sus códigos de recuperación

## Notices: the pages that say what happened or why a link cannot be used (built by
## the pages' code; $email is the address typed)

notice-sign-up-sent = Enviamos un enlace a { $email }. Ábralo para confirmar su dirección y terminar de crear su cuenta.
notice-sign-up-nothing-there = ¿No ha llegado nada tras unos minutos? Revise la carpeta de spam o pida un enlace nuevo abajo.
notice-enter-the-code-from-the-email = Introducir el código del correo
notice-continue-to-sign-in = Continuar al inicio de sesión
notice-verification-resent = Si { $email } pertenece a una cuenta que aún debe confirmarse, hay un enlace nuevo en camino.
notice-link-expired = Este enlace ha caducado
notice-verify-link-expired = Los enlaces de confirmación sirven durante un tiempo limitado. Pida uno nuevo abajo.
notice-link-unusable = Este enlace no se puede usar
notice-verify-link-unusable = Puede que ya se haya usado o que se copiara incompleto. Pida un nuevo enlace de confirmación abajo.
notice-reset-sent = Si existe una cuenta para { $email }, le enviamos un enlace para elegir una nueva contraseña.
notice-reset-nothing-there = El enlace sirve una vez y caduca pronto. ¿No ha llegado nada? Revise la carpeta de spam.
notice-reset-link-expired-title = Este enlace de restablecimiento ha caducado
notice-reset-link-expired = Los enlaces de restablecimiento sirven durante un tiempo limitado. Pida uno nuevo.
notice-reset-link-unusable-title = Este enlace de restablecimiento no se puede usar
notice-reset-link-unusable = Puede que ya se haya usado o que se copiara incompleto. Los enlaces de restablecimiento sirven una vez y durante un tiempo limitado. Pida uno nuevo.
notice-sign-in-code-sent = Si existe una cuenta para { $email }, le enviamos un código de acceso y un enlace.
notice-sign-in-code-how = Abra el enlace en este dispositivo o introduzca el código. Ambos sirven una vez y caducan pronto.
notice-enter-the-code = Introducir el código
notice-sign-in-link-unusable-title = Este enlace de acceso no se puede usar
notice-sign-in-link-unusable = Puede que haya caducado, que ya se haya usado o que otro más reciente lo haya sustituido. Los enlaces de acceso sirven una vez y durante un tiempo limitado. Pida uno nuevo.
notice-email-link-refused = Vuelva a empezar el cambio de dirección desde los ajustes de su cuenta.
notice-confirmed-address-only = Esta página es solo para cuentas con una dirección de correo confirmada. Abra el enlace que le enviamos al registrarse.
notice-lost-it = ¿Lo ha perdido? Introduzca su dirección y le enviaremos uno nuevo.

# web layer texts
## account: the card of the account's language
account-language = Idioma
account-language-of-your-emails = Idioma de sus correos
account-language-default = Predeterminado
account-language-save = Guardar idioma
## passkey-script: what the passkey script says when a passkey did not work
passkey-script-not-started = No se pudo iniciar la llave de acceso.
passkey-script-not-used = No se usó ninguna llave de acceso. Vuelva a intentarlo o use otra forma.
passkey-script-already-here = Este dispositivo ya tiene una llave de acceso para esta cuenta.
passkey-script-failed = La llave de acceso no funcionó. Vuelva a intentarlo.
passkey-script-name-it = Dé un nombre a la llave de acceso.
passkey-script-email-first = Primero escriba su dirección de correo.
## profile-field: the labels of the built-in profile fields (`profile-field-<name>`); an
## application may add its own fields' labels the same way
profile-field-display_name = Nombre visible
profile-field-locale = Idioma
profile-field-time_zone = Zona horaria
## device: a device in the lists of sessions ($browser: name and version, $system: the
## operating system)
device-on-system = { $browser } en { $system }
