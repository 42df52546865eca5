# mail: los textos de los correos (auth-core/src/mail/templates), tratando de usted.

## Compartidos por varios correos

mail-hello = Hola:
mail-button-fallback = Si el botón no funciona, copie esta dirección en su navegador:
mail-nothing-to-do = Si fue usted, no tiene que hacer nada.
mail-reset-my-password = Restablecer mi contraseña
mail-reset-now = Si no fue usted, restablezca su contraseña ahora.
mail-reset-now-link = Si no fue usted, restablezca su contraseña ahora:
mail-sign-in = Iniciar sesión
mail-code-instead = ¿Lo está leyendo en otro dispositivo o usa una aplicación? Introduzca este código en su lugar:
mail-code-valid = El código es válido durante { $duration } y funciona una sola vez.
mail-code-valid-short = Es válido durante { $duration } y funciona una sola vez.

## Cuánto tiempo es válido un enlace o código

mail-minutes = { $count ->
    [one] { $count } minuto
   *[other] { $count } minutos
}
mail-hours = { $count ->
    [one] { $count } hora
   *[other] { $count } horas
}
mail-days = { $count ->
    [one] { $count } día
   *[other] { $count } días
}

## Confirmar la dirección de una cuenta nueva

mail-verification-subject = Confirme su dirección de correo para { $app }
mail-verification-title = Confirme su dirección de correo
mail-verification-intro = Confirme que { $email } es su dirección de correo para { $app }.
mail-verification-intro-link = Confirme que { $email } es su dirección de correo para { $app } abriendo este enlace:
mail-verification-button = Confirmar dirección de correo
mail-verification-valid = El enlace es válido durante { $duration }. Si no creó ninguna cuenta, puede ignorar este mensaje.

## Restablecer la contraseña

mail-password_reset-subject = Restablezca su contraseña de { $app }
mail-password_reset-title = Restablezca su contraseña
mail-password_reset-intro = Alguien (esperamos que usted) pidió restablecer la contraseña de la cuenta de { $app } de { $email }.
mail-password_reset-intro-link = Alguien (esperamos que usted) pidió restablecer la contraseña de la cuenta de { $app } de { $email }. Para elegir una contraseña nueva, abra este enlace:
mail-password_reset-button = Elegir una contraseña nueva
mail-password_reset-valid = El enlace es válido durante { $duration } y funciona una sola vez. Si no lo pidió, ignore este mensaje: su contraseña sigue igual.

## Confirmar una dirección nueva

mail-email_change-subject = Confirme su nueva dirección de correo para { $app }
mail-email_change-title = Confirme su nueva dirección de correo
mail-email_change-intro = Confirme que { $new_email } debe ser la dirección de correo de su cuenta de { $app }. Hasta entonces, su cuenta conserva su dirección actual.
mail-email_change-intro-link = Confirme que { $new_email } debe ser la dirección de correo de su cuenta de { $app } abriendo este enlace:
mail-email_change-button = Confirmar la dirección nueva
mail-email_change-valid = El enlace es válido durante { $duration }. Si no lo pidió, ignore este mensaje.
mail-email_change-valid-long = El enlace es válido durante { $duration }. Hasta que lo abra, su cuenta conserva su dirección actual. Si no lo pidió, ignore este mensaje.

## Aviso a la dirección actual de un cambio pedido

mail-email_change_notice-subject = Se pidió cambiar la dirección de correo de su cuenta de { $app }
mail-email_change_notice-title = Cambio de dirección de correo pedido
mail-email_change_notice-body = Alguien inició sesión en su cuenta de { $app } ({ $email }) y pidió cambiar su dirección de correo. El cambio solo se aplica cuando se abre el enlace enviado a la dirección nueva.
mail-email_change_notice-action = Si no fue usted, cambie su contraseña ahora:

## Se cambió la contraseña

mail-password_changed-subject = Se cambió su contraseña de { $app }
mail-password_changed-title = Se cambió su contraseña
mail-password_changed-body = Se acaba de cambiar la contraseña de su cuenta de { $app } ({ $email }) y se cerraron sus otras sesiones.

## Alguien quiso registrar una dirección que ya tiene cuenta

mail-account_exists-subject = Ya tiene una cuenta de { $app }
mail-account_exists-title = Ya tiene una cuenta
mail-account_exists-body = Alguien (esperamos que usted) intentó crear una cuenta de { $app } para { $email }, pero esta dirección ya tiene una cuenta.
mail-account_exists-to-sign-in = Para iniciar sesión:
mail-account_exists-forgot = ¿Olvidó su contraseña?
mail-account_exists-reset-it = Restablézcala
mail-account_exists-ignore-short = Si no fue usted, ignore este mensaje.
mail-account_exists-ignore = Si no fue usted, puede ignorar este mensaje.

## Inicio de sesión en dos pasos

mail-second_factor_enabled-subject = El inicio de sesión en dos pasos está activado en su cuenta de { $app }
mail-second_factor_enabled-title = El inicio de sesión en dos pasos está activado
mail-second_factor_enabled-body = Se añadió una aplicación de autenticación a su cuenta de { $app } ({ $email }): para iniciar sesión ahora necesita, después de la contraseña, un código de ella (o uno de sus códigos de recuperación).
mail-second_factor_disabled-subject = Se desactivó el inicio de sesión en dos pasos en su cuenta de { $app }
mail-second_factor_disabled-title = Se desactivó el inicio de sesión en dos pasos
mail-second_factor_disabled-body = Se quitó la aplicación de autenticación de su cuenta de { $app } ({ $email }): para iniciar sesión ahora basta con la contraseña.
mail-second_factor_disabled-action = Si no fue usted, restablezca su contraseña ahora y vuelva a activar el inicio de sesión en dos pasos:
mail-recovery_code_used-subject = Se usó un código de recuperación en su cuenta de { $app }
mail-recovery_code_used-title = Se usó un código de recuperación
mail-recovery_code_used-body = Alguien inició sesión en su cuenta de { $app } ({ $email }) con uno de sus códigos de recuperación en lugar de un código de la aplicación de autenticación. Ese código de recuperación ya no se puede volver a usar.
mail-second_factor_reset-subject = Un administrador desactivó el inicio de sesión en dos pasos en su cuenta de { $app }
mail-second_factor_reset-title = Un administrador desactivó el inicio de sesión en dos pasos
mail-second_factor_reset-body = Un administrador de { $app } quitó la aplicación de autenticación de su cuenta ({ $email }), normalmente porque se perdió: para iniciar sesión ahora basta con la contraseña. Vuelva a añadir una aplicación desde la configuración de su cuenta.
mail-second_factor_reset-action = Si no lo pidió, restablezca su contraseña ahora:

## Proveedores de inicio de sesión

mail-identity_linked-subject = Se vinculó un proveedor de inicio de sesión a su cuenta de { $app }
mail-identity_linked-heading = Se vinculó un proveedor de inicio de sesión a su cuenta
mail-identity_linked-title = Se vinculó un proveedor de inicio de sesión
mail-identity_linked-body = Se acaba de vincular { $provider } a su cuenta de { $app } ({ $email }): ahora se puede usar para iniciar sesión.
mail-identity_linked-advice = Si no fue usted, inicie sesión, desvincúlelo desde la página de su cuenta y restablezca su contraseña.
mail-identity_linked-action = Si no fue usted, inicie sesión, desvincúlelo desde la página de su cuenta y restablezca su contraseña:
mail-identity_unlinked-subject = Se desvinculó un proveedor de inicio de sesión de su cuenta de { $app }
mail-identity_unlinked-heading = Se desvinculó un proveedor de inicio de sesión de su cuenta
mail-identity_unlinked-title = Se desvinculó un proveedor de inicio de sesión
mail-identity_unlinked-body = Se acaba de desvincular { $provider } de su cuenta de { $app } ({ $email }): ya no se puede usar para iniciar sesión.
mail-identity_unlinked-if-it-was = Si fue usted, no tiene que hacer nada.

## Iniciar sesión por correo

mail-sign_in_code-subject = Su código de inicio de sesión de { $app }
mail-sign_in_code-title = Su código de inicio de sesión
mail-sign_in_code-body = Alguien (esperamos que usted) pidió iniciar sesión por correo en la cuenta de { $app } de { $email }. Su código de inicio de sesión es:
mail-sign_in_code-or-link = O abra este enlace para iniciar sesión:
mail-sign_in_code-valid = El código y el enlace son válidos durante { $duration } y cada uno funciona una sola vez. Si no lo pidió, ignore este mensaje: nadie puede iniciar sesión sin él.
