import type { ButtonHTMLAttributes } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
  size?: 'md' | 'small';
}

/** The one button look: pick a variant instead of repeating class strings. */
export function Button({ variant = 'default', size = 'md', className, type = 'button', ...props }: ButtonProps) {
  const classes = [
    'button',
    variant !== 'default' && `button--${variant}`,
    size === 'small' && 'button--small',
    className,
  ];
  return <button type={type} className={classes.filter(Boolean).join(' ')} {...props} />;
}
